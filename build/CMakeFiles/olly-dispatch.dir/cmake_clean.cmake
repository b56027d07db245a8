file(REMOVE_RECURSE
  "CMakeFiles/olly-dispatch.dir/tools/olly/main.cpp.o"
  "CMakeFiles/olly-dispatch.dir/tools/olly/main.cpp.o.d"
  "bin/olly"
  "bin/olly.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/olly-dispatch.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
