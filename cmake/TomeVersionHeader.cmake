# tome/version.hpp, generated into <build>/generated-include (on tome::telemetry_api's include
# path in the build tree, installed with the headers): the version and the build options a
# consumer can test at compile time. Included once every layer has set its options.
if(TOME_WITH_GRPC)
  set(TOME_VERSION_HAS_GRPC 1)
else()
  set(TOME_VERSION_HAS_GRPC 0)
endif()
configure_file(${PROJECT_SOURCE_DIR}/packaging/version.hpp.in
               ${PROJECT_BINARY_DIR}/generated-include/tome/version.hpp @ONLY)
