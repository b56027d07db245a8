# CMake generated Testfile for 
# Source directory: /work/main/tests
# Build directory: /work/main/build/tests
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[unit/main]=] "/work/main/build/tests/olly-unit-tests" "--source-file=*main.cpp")
set_tests_properties([=[unit/main]=] PROPERTIES  _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;11;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test([=[unit/test_expr]=] "/work/main/build/tests/olly-unit-tests" "--source-file=*test_expr.cpp")
set_tests_properties([=[unit/test_expr]=] PROPERTIES  _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;11;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test([=[unit/test_extract]=] "/work/main/build/tests/olly-unit-tests" "--source-file=*test_extract.cpp")
set_tests_properties([=[unit/test_extract]=] PROPERTIES  _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;11;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test([=[unit/test_input]=] "/work/main/build/tests/olly-unit-tests" "--source-file=*test_input.cpp")
set_tests_properties([=[unit/test_input]=] PROPERTIES  _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;11;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test([=[unit/test_time]=] "/work/main/build/tests/olly-unit-tests" "--source-file=*test_time.cpp")
set_tests_properties([=[unit/test_time]=] PROPERTIES  _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;11;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test([=[unit/test_writer]=] "/work/main/build/tests/olly-unit-tests" "--source-file=*test_writer.cpp")
set_tests_properties([=[unit/test_writer]=] PROPERTIES  _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;11;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test([=[docs-in-sync]=] "/work/main/tests/check-docs" "--bin" "/work/main/build/bin" "--src" "/work/main")
set_tests_properties([=[docs-in-sync]=] PROPERTIES  _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;26;add_test;/work/main/tests/CMakeLists.txt;0;")
