
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/tests/unit/main.cpp" "tests/CMakeFiles/olly-unit-tests.dir/unit/main.cpp.o" "gcc" "tests/CMakeFiles/olly-unit-tests.dir/unit/main.cpp.o.d"
  "/work/main/tests/unit/test_expr.cpp" "tests/CMakeFiles/olly-unit-tests.dir/unit/test_expr.cpp.o" "gcc" "tests/CMakeFiles/olly-unit-tests.dir/unit/test_expr.cpp.o.d"
  "/work/main/tests/unit/test_extract.cpp" "tests/CMakeFiles/olly-unit-tests.dir/unit/test_extract.cpp.o" "gcc" "tests/CMakeFiles/olly-unit-tests.dir/unit/test_extract.cpp.o.d"
  "/work/main/tests/unit/test_input.cpp" "tests/CMakeFiles/olly-unit-tests.dir/unit/test_input.cpp.o" "gcc" "tests/CMakeFiles/olly-unit-tests.dir/unit/test_input.cpp.o.d"
  "/work/main/tests/unit/test_time.cpp" "tests/CMakeFiles/olly-unit-tests.dir/unit/test_time.cpp.o" "gcc" "tests/CMakeFiles/olly-unit-tests.dir/unit/test_time.cpp.o.d"
  "/work/main/tests/unit/test_writer.cpp" "tests/CMakeFiles/olly-unit-tests.dir/unit/test_writer.cpp.o" "gcc" "tests/CMakeFiles/olly-unit-tests.dir/unit/test_writer.cpp.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/main/build/CMakeFiles/olly.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
