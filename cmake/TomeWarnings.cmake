# tome_target_defaults(target): warnings and other per-target settings shared by every tome
# library, executable, test and benchmark. Sanitizers are set for the whole tree instead
# (TomeSanitizers.cmake).
function(tome_target_defaults target)
  # PUBLIC: whoever links a tome library (in this build, as a subproject or installed) compiles
  # with C++20, the one standard the headers are written for (LESSONS-FROM-USERS #2).
  target_compile_features(${target} PUBLIC cxx_std_20)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local
                                           -Wnon-virtual-dtor -Wno-missing-field-initializers)
  if(TOME_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
