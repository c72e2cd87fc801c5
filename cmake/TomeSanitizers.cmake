# TOME_SANITIZE: sanitizers for the whole build, "address,undefined" or "thread" (any comma list
# of address, undefined, leak, or thread alone). Set directory-wide with add_compile_options /
# add_link_options, so that every target below the top-level CMakeLists.txt gets them,
# including those that do not call tome_target_defaults (the generated protobuf code of the
# tests): TSan in particular must see every access of every target to be trusted.
# `address` is not widened to `address,undefined` behind the caller's back: the value says what
# is built; scripts/sanitize.sh address passes "address,undefined".
set(_tome_sanitizers_known address undefined leak thread)
string(REPLACE "," ";" _tome_sanitizers "${TOME_SANITIZE}")
foreach(s IN LISTS _tome_sanitizers)
  if(NOT s IN_LIST _tome_sanitizers_known)
    message(FATAL_ERROR "TOME_SANITIZE=${TOME_SANITIZE}: unknown sanitizer '${s}' "
                        "(use address,undefined or thread)")
  endif()
endforeach()
if("thread" IN_LIST _tome_sanitizers AND NOT TOME_SANITIZE STREQUAL "thread")
  message(FATAL_ERROR "TOME_SANITIZE=${TOME_SANITIZE}: thread cannot be combined with another "
                      "sanitizer")
endif()

if(_tome_sanitizers)
  message(STATUS "tome: building with -fsanitize=${TOME_SANITIZE}")
  add_compile_options(-fsanitize=${TOME_SANITIZE} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${TOME_SANITIZE})
  if("undefined" IN_LIST _tome_sanitizers)
    # Undefined behaviour aborts the process (a failed test), instead of printing and going on.
    add_compile_options(-fno-sanitize-recover=undefined)
  endif()
endif()
