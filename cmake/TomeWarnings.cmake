# tome_target_defaults(target): warnings, sanitizers and other per-target settings shared by
# every tome library, executable, test and benchmark.
function(tome_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local
                                           -Wnon-virtual-dtor -Wno-missing-field-initializers)
  if(TOME_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(TOME_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=${TOME_SANITIZE} -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=${TOME_SANITIZE})
  endif()
endfunction()
