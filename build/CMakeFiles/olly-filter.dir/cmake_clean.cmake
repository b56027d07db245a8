file(REMOVE_RECURSE
  "CMakeFiles/olly-filter.dir/tools/filter/filter.cpp.o"
  "CMakeFiles/olly-filter.dir/tools/filter/filter.cpp.o.d"
  "CMakeFiles/olly-filter.dir/tools/filter/main.cpp.o"
  "CMakeFiles/olly-filter.dir/tools/filter/main.cpp.o.d"
  "bin/olly-filter"
  "bin/olly-filter.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/olly-filter.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
