file(REMOVE_RECURSE
  "CMakeFiles/olly.dir/lib/diag.cpp.o"
  "CMakeFiles/olly.dir/lib/diag.cpp.o.d"
  "CMakeFiles/olly.dir/lib/expr.cpp.o"
  "CMakeFiles/olly.dir/lib/expr.cpp.o.d"
  "CMakeFiles/olly.dir/lib/extract.cpp.o"
  "CMakeFiles/olly.dir/lib/extract.cpp.o.d"
  "CMakeFiles/olly.dir/lib/input.cpp.o"
  "CMakeFiles/olly.dir/lib/input.cpp.o.d"
  "CMakeFiles/olly.dir/lib/json_value.cpp.o"
  "CMakeFiles/olly.dir/lib/json_value.cpp.o.d"
  "CMakeFiles/olly.dir/lib/path.cpp.o"
  "CMakeFiles/olly.dir/lib/path.cpp.o.d"
  "CMakeFiles/olly.dir/lib/rewrite.cpp.o"
  "CMakeFiles/olly.dir/lib/rewrite.cpp.o.d"
  "CMakeFiles/olly.dir/lib/run.cpp.o"
  "CMakeFiles/olly.dir/lib/run.cpp.o.d"
  "CMakeFiles/olly.dir/lib/stage.cpp.o"
  "CMakeFiles/olly.dir/lib/stage.cpp.o.d"
  "CMakeFiles/olly.dir/lib/timefield.cpp.o"
  "CMakeFiles/olly.dir/lib/timefield.cpp.o.d"
  "CMakeFiles/olly.dir/lib/timeutil.cpp.o"
  "CMakeFiles/olly.dir/lib/timeutil.cpp.o.d"
  "CMakeFiles/olly.dir/lib/writer.cpp.o"
  "CMakeFiles/olly.dir/lib/writer.cpp.o.d"
  "libolly.a"
  "libolly.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/olly.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
