# TOME_FUZZ: the libFuzzer targets under fuzz/ (scripts/fuzz.sh builds them in build-fuzz/).
# Clang only (libFuzzer ships with it). Every target of the tree below the top-level
# CMakeLists.txt is compiled with coverage instrumentation for libFuzzer plus AddressSanitizer and
# UndefinedBehaviorSanitizer (-fsanitize=fuzzer-no-link,address,undefined), so that the fuzzers
# see and check the libraries they drive; only the fuzz executables link libFuzzer's main
# (-fsanitize=fuzzer, in fuzz/CMakeLists.txt). Not combined with TOME_SANITIZE.
if(NOT TOME_FUZZ)
  return()
endif()
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "TOME_FUZZ=ON needs clang (libFuzzer): configure with "
                      "-DCMAKE_CXX_COMPILER=clang++ (Debian package clang), got "
                      "${CMAKE_CXX_COMPILER_ID}")
endif()
if(TOME_SANITIZE)
  message(FATAL_ERROR "TOME_FUZZ=ON brings its own sanitizers (address,undefined); "
                      "leave TOME_SANITIZE empty")
endif()
message(STATUS "tome: fuzz build (-fsanitize=fuzzer-no-link,address,undefined)")
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                    -fno-omit-frame-pointer
                    # TomeWarnings.cmake names GCC's -Wshadow=local, which clang does not know.
                    -Wno-unknown-warning-option)
add_link_options(-fsanitize=address,undefined)
