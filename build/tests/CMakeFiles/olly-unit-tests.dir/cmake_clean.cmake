file(REMOVE_RECURSE
  "CMakeFiles/olly-unit-tests.dir/unit/main.cpp.o"
  "CMakeFiles/olly-unit-tests.dir/unit/main.cpp.o.d"
  "CMakeFiles/olly-unit-tests.dir/unit/test_expr.cpp.o"
  "CMakeFiles/olly-unit-tests.dir/unit/test_expr.cpp.o.d"
  "CMakeFiles/olly-unit-tests.dir/unit/test_extract.cpp.o"
  "CMakeFiles/olly-unit-tests.dir/unit/test_extract.cpp.o.d"
  "CMakeFiles/olly-unit-tests.dir/unit/test_input.cpp.o"
  "CMakeFiles/olly-unit-tests.dir/unit/test_input.cpp.o.d"
  "CMakeFiles/olly-unit-tests.dir/unit/test_time.cpp.o"
  "CMakeFiles/olly-unit-tests.dir/unit/test_time.cpp.o.d"
  "CMakeFiles/olly-unit-tests.dir/unit/test_writer.cpp.o"
  "CMakeFiles/olly-unit-tests.dir/unit/test_writer.cpp.o.d"
  "olly-unit-tests"
  "olly-unit-tests.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/olly-unit-tests.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
