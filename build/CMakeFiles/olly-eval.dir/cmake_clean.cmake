file(REMOVE_RECURSE
  "CMakeFiles/olly-eval.dir/tools/eval/eval.cpp.o"
  "CMakeFiles/olly-eval.dir/tools/eval/eval.cpp.o.d"
  "CMakeFiles/olly-eval.dir/tools/eval/main.cpp.o"
  "CMakeFiles/olly-eval.dir/tools/eval/main.cpp.o.d"
  "bin/olly-eval"
  "bin/olly-eval.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/olly-eval.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
