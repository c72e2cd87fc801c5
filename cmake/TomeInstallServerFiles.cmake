# Run by `cmake --install` and cpack (cmake/TomeInstall.cmake, component server), with
# TOME_SOURCE_DIR, TOME_STAGING_DIR and TOME_BINDIR set: installs the server's config
# (tome.yaml), its environment file and its systemd unit, written for the prefix of this install.
# For the prefix /usr the configuration goes to /etc and the data to /var/lib/tome (the GNU and
# FHS rules GNUInstallDirs follows); for any other prefix, under the prefix.
set(_prefix "${CMAKE_INSTALL_PREFIX}")
if(_prefix STREQUAL "/usr")
  set(_etc /etc)
  set(_var /var)
else()
  set(_etc "${_prefix}/etc")
  set(_var "${_prefix}/var")
endif()
# The names packaging/tome.service.in and packaging/default-tome.in use.
set(TOME_BIN "${_prefix}/${TOME_BINDIR}/tome")
set(TOME_CONFIG "${_etc}/tome/tome.yaml")
set(TOME_DATA_DIR "${_var}/lib/tome")
set(TOME_ENV_FILE "${_etc}/default/tome")

# One folder per destination: an install and a cpack may run at the same time.
string(MD5 _key "$ENV{DESTDIR}${_prefix}")
set(_files "${TOME_STAGING_DIR}/${_key}")
configure_file("${TOME_SOURCE_DIR}/packaging/tome.service.in" "${_files}/tome.service" @ONLY)
configure_file("${TOME_SOURCE_DIR}/packaging/default-tome.in" "${_files}/tome" @ONLY)

set(_mode PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
file(INSTALL DESTINATION "${_etc}/tome" TYPE FILE ${_mode} FILES "${TOME_SOURCE_DIR}/config/tome.yaml")
file(INSTALL DESTINATION "${_etc}/default" TYPE FILE ${_mode} FILES "${_files}/tome")
file(INSTALL DESTINATION "${_prefix}/lib/systemd/system" TYPE FILE ${_mode} FILES "${_files}/tome.service")
