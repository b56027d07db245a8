
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/lib/diag.cpp" "CMakeFiles/olly.dir/lib/diag.cpp.o" "gcc" "CMakeFiles/olly.dir/lib/diag.cpp.o.d"
  "/work/main/lib/expr.cpp" "CMakeFiles/olly.dir/lib/expr.cpp.o" "gcc" "CMakeFiles/olly.dir/lib/expr.cpp.o.d"
  "/work/main/lib/extract.cpp" "CMakeFiles/olly.dir/lib/extract.cpp.o" "gcc" "CMakeFiles/olly.dir/lib/extract.cpp.o.d"
  "/work/main/lib/input.cpp" "CMakeFiles/olly.dir/lib/input.cpp.o" "gcc" "CMakeFiles/olly.dir/lib/input.cpp.o.d"
  "/work/main/lib/json_value.cpp" "CMakeFiles/olly.dir/lib/json_value.cpp.o" "gcc" "CMakeFiles/olly.dir/lib/json_value.cpp.o.d"
  "/work/main/lib/path.cpp" "CMakeFiles/olly.dir/lib/path.cpp.o" "gcc" "CMakeFiles/olly.dir/lib/path.cpp.o.d"
  "/work/main/lib/rewrite.cpp" "CMakeFiles/olly.dir/lib/rewrite.cpp.o" "gcc" "CMakeFiles/olly.dir/lib/rewrite.cpp.o.d"
  "/work/main/lib/run.cpp" "CMakeFiles/olly.dir/lib/run.cpp.o" "gcc" "CMakeFiles/olly.dir/lib/run.cpp.o.d"
  "/work/main/lib/stage.cpp" "CMakeFiles/olly.dir/lib/stage.cpp.o" "gcc" "CMakeFiles/olly.dir/lib/stage.cpp.o.d"
  "/work/main/lib/timefield.cpp" "CMakeFiles/olly.dir/lib/timefield.cpp.o" "gcc" "CMakeFiles/olly.dir/lib/timefield.cpp.o.d"
  "/work/main/lib/timeutil.cpp" "CMakeFiles/olly.dir/lib/timeutil.cpp.o" "gcc" "CMakeFiles/olly.dir/lib/timeutil.cpp.o.d"
  "/work/main/lib/writer.cpp" "CMakeFiles/olly.dir/lib/writer.cpp.o" "gcc" "CMakeFiles/olly.dir/lib/writer.cpp.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
