# Warnings are errors in tandem's own code; third-party headers come in as SYSTEM.
function(tandem_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wno-unused-parameter)
  if(TANDEM_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(TANDEM_SANITIZE)
    # -fno-sanitize-recover: undefined behaviour aborts the test that hits it, rather than
    # printing a report that a passing test run would hide.
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined
                           -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# Unit tests beside the code they test: foo_test.cpp next to foo.cpp. Each test file is
# its own executable, so one broken test cannot stop the others from building.
function(tandem_add_tests)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  foreach(source IN LISTS T_SOURCES)
    get_filename_component(name ${source} NAME_WE)
    add_executable(${name} ${source})
    target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main)
    tandem_target_defaults(${name})
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES ENVIRONMENT
      "TANDEM_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
  endforeach()
endfunction()
