# tome_target_defaults(target): warnings and other per-target settings shared by every tome
# library, executable, test and benchmark. Sanitizers are set for the whole tree instead
# (TomeSanitizers.cmake).
function(tome_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local
                                           -Wnon-virtual-dtor -Wno-missing-field-initializers)
  if(TOME_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
