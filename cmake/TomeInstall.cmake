# What `cmake --install` puts where, and the packages that let another project use tome:
# find_package(tome) (tomeConfig.cmake, exported targets tome::facade, tome::telemetry, ...) and
# pkg-config (tome.pc, tome-telemetry.pc). Included by the top-level CMakeLists.txt after every
# layer, so that every target and option is known. Two install components:
#   server  bin/tome, its config (etc/tome/tome.yaml, etc/default/tome), the systemd unit, the
#           man page: what the Debian package `tome` holds (cmake/TomePackage.cmake)
#   dev     the static libraries, the public headers and both packages: `libtome-dev`
# Installing is relocatable: `cmake --install build --prefix /any/where` works, and the
# CMake package finds its files relative to itself.
# Libraries in the multiarch folder (lib/x86_64-linux-gnu), as Debian's own CMake packages are
# built (debhelper passes the same), whatever the prefix: the Debian package's pkg-config files
# then sit where cross-compilation finds them, and find_package searches lib/<arch> too.
if(NOT DEFINED CMAKE_INSTALL_LIBDIR AND CMAKE_LIBRARY_ARCHITECTURE)
  set(CMAKE_INSTALL_LIBDIR lib/${CMAKE_LIBRARY_ARCHITECTURE} CACHE PATH "Object code libraries (lib)")
endif()
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# --- the libraries ---------------------------------------------------------------------------
# Everything tome::facade needs, and the SDK on its own. The server's HTTP transport, the console
# and the app are not libraries for others (they are the `tome` binary).
set(TOME_INSTALLED_LIBRARIES
  telemetry_api telemetry_trace telemetry_metrics telemetry_logs telemetry_otlp_transport
  telemetry_export telemetry_export_metrics telemetry_export_logs
  core connector robotcopy api facade)
set(_tome_install_targets tome_telemetry)
foreach(name IN LISTS TOME_INSTALLED_LIBRARIES)
  # Exported as tome::<name> (the same name as the build tree's alias).
  set_target_properties(tome_${name} PROPERTIES EXPORT_NAME ${name})
  list(APPEND _tome_install_targets tome_${name})
endforeach()
set_target_properties(tome_telemetry PROPERTIES EXPORT_NAME telemetry)

install(TARGETS ${_tome_install_targets}
        EXPORT tomeTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# Static libraries keep their debug information in the build; an install with --strip (and the
# Debian package) removes it, but never the symbols a static library needs to be linked.
install(CODE "
  if(CMAKE_INSTALL_DO_STRIP)
    file(GLOB _tome_libs \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/libtome_*.a\")
    foreach(_lib IN LISTS _tome_libs)
      execute_process(COMMAND \"${CMAKE_STRIP}\" --strip-debug \"\${_lib}\" COMMAND_ERROR_IS_FATAL ANY)
    endforeach()
  endif()" COMPONENT dev)

foreach(dir telemetry/api telemetry/trace telemetry/metrics telemetry/logs telemetry/export
            telemetry/export/metrics telemetry/export/logs core connector robotcopy api facade)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/include/
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev
          FILES_MATCHING PATTERN "*.hpp")
endforeach()
install(FILES ${PROJECT_BINARY_DIR}/generated-include/tome/version.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/tome COMPONENT dev)

# --- the CMake package -----------------------------------------------------------------------
set(TOME_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/tome)
install(EXPORT tomeTargets NAMESPACE tome:: DESTINATION ${TOME_CMAKE_DIR} COMPONENT dev)
configure_package_config_file(${PROJECT_SOURCE_DIR}/packaging/tomeConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/packaging/tomeConfig.cmake
                              INSTALL_DESTINATION ${TOME_CMAKE_DIR})
# Same minor version: 0.x releases may change the API between minors.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/packaging/tomeConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/packaging/tomeConfig.cmake
              ${PROJECT_BINARY_DIR}/packaging/tomeConfigVersion.cmake
        DESTINATION ${TOME_CMAKE_DIR} COMPONENT dev)

# --- pkg-config ------------------------------------------------------------------------------
# The libraries are static, so the .pc files list every one in link order (dependents first)
# and require the system libraries publicly.
set(TOME_PC_TELEMETRY_LIBS
  "-ltome_telemetry_export_logs -ltome_telemetry_export_metrics -ltome_telemetry_export \
-ltome_telemetry_logs -ltome_telemetry_otlp_transport -ltome_telemetry_metrics \
-ltome_telemetry_trace -ltome_telemetry_api")
set(TOME_PC_REQUIRES "libcurl zlib")
if(TOME_WITH_GRPC)
  string(APPEND TOME_PC_REQUIRES " grpc++")
endif()
file(RELATIVE_PATH TOME_PC_TO_PREFIX "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
foreach(pc tome tome-telemetry)
  configure_file(${PROJECT_SOURCE_DIR}/packaging/${pc}.pc.in ${PROJECT_BINARY_DIR}/packaging/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/packaging/${pc}.pc
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)
endforeach()

# --- the server ------------------------------------------------------------------------------
install(TARGETS tome RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT server)
# The config, the environment file and the systemd unit name paths that depend on the prefix
# given at install time (not at configure time: `cmake --install --prefix` and CPack change it),
# so cmake/TomeInstallServerFiles.cmake writes them then.
install(CODE "set(TOME_SOURCE_DIR \"${PROJECT_SOURCE_DIR}\")
  set(TOME_STAGING_DIR \"${PROJECT_BINARY_DIR}/packaging/server\")
  set(TOME_BINDIR \"${CMAKE_INSTALL_BINDIR}\")" COMPONENT server)
install(SCRIPT ${PROJECT_SOURCE_DIR}/cmake/TomeInstallServerFiles.cmake COMPONENT server)
# The man page and the Debian documentation files, compressed as Debian wants them
# (gzip -9n: no name or time stamp, so the package is reproducible).
find_program(TOME_GZIP gzip)
if(TOME_GZIP)
  set(_tome_docs ${PROJECT_BINARY_DIR}/packaging/docs)
  add_custom_command(
    OUTPUT ${_tome_docs}/tome.1.gz ${_tome_docs}/changelog.Debian.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${_tome_docs}
    COMMAND sh -c "${TOME_GZIP} -9n < '${PROJECT_SOURCE_DIR}/packaging/tome.1' > '${_tome_docs}/tome.1.gz'"
    COMMAND sh -c "${TOME_GZIP} -9n < '${PROJECT_SOURCE_DIR}/packaging/debian/changelog' > '${_tome_docs}/changelog.Debian.gz'"
    DEPENDS ${PROJECT_SOURCE_DIR}/packaging/tome.1 ${PROJECT_SOURCE_DIR}/packaging/debian/changelog
    COMMENT "compressing the man page and the Debian changelog"
    VERBATIM)
  add_custom_target(tome_docs ALL DEPENDS ${_tome_docs}/tome.1.gz ${_tome_docs}/changelog.Debian.gz)
  install(FILES ${_tome_docs}/tome.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT server)
  install(FILES ${_tome_docs}/changelog.Debian.gz ${PROJECT_SOURCE_DIR}/packaging/debian/copyright
          DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT server)
  install(FILES ${_tome_docs}/changelog.Debian.gz ${PROJECT_SOURCE_DIR}/packaging/debian/copyright
          DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/libtome-dev COMPONENT dev)
  foreach(_package_component tome:server libtome-dev:dev)
    string(REPLACE ":" ";" _pc "${_package_component}")
    list(GET _pc 0 _package)
    list(GET _pc 1 _component)
    install(FILES ${PROJECT_SOURCE_DIR}/packaging/debian/${_package}.lintian-overrides
            DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/lintian/overrides RENAME ${_package}
            COMPONENT ${_component})
  endforeach()
endif()
