# The Debian packages, built with CPack from an ordinary build folder (`cpack -G DEB` there, or
# scripts/package-deb.sh): one package per install component of cmake/TomeInstall.cmake.
#   tome         the server: /usr/bin/tome, /etc/tome/tome.yaml and /etc/default/tome
#                (conffiles), the systemd unit, the man page; runs as the system user `tome`
#                with /var/lib/tome (packaging/debian/postinst). Its library dependencies are
#                computed by dpkg-shlibdeps from what the binary links.
#   libtome-dev  the static libraries, headers, CMake package and pkg-config files; it depends
#                on the -dev packages of what those libraries link.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tome)
set(CPACK_PACKAGE_VENDOR "the tome maintainers")
set(CPACK_PACKAGE_CONTACT "tome maintainers <maintainers@users.noreply.b-seed-4c5ca95c.example>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL server dev)
# Installed with DESTDIR and the prefix /usr, so that cmake/TomeInstall.cmake puts the
# configuration under /etc (it does so for the prefix /usr only).
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_SERVER_PACKAGE_NAME tome)
set(CPACK_DEBIAN_SERVER_PACKAGE_SECTION net)
set(CPACK_DEBIAN_SERVER_PACKAGE_SHLIBDEPS ON)
# What the maintainer scripts call, beside the shared libraries dpkg-shlibdeps finds.
set(CPACK_DEBIAN_SERVER_PACKAGE_DEPENDS "adduser, init-system-helpers (>= 1.54~)")
# Descriptions: the first line is the synopsis; CPack indents the rest and marks empty lines.
set(CPACK_COMPONENT_SERVER_DESCRIPTION
"network of state machines, observable with OpenTelemetry
tome runs named state machines (tomes) and the connections between them
(event and state forwarding, rings, hubs, broadcast) behind an HTTP API.
Every operation is traced, measured and logged with OpenTelemetry: OTLP
export over HTTP or gRPC, a Prometheus endpoint, and an embedded web
console with traces, a service map, logs, metrics and alerts.

This package runs the server as the systemd service tome.service, on loopback
by default (see /etc/default/tome and /etc/tome/tome.yaml).")
set(_tome_debian ${PROJECT_SOURCE_DIR}/packaging/debian)
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA
    ${_tome_debian}/postinst ${_tome_debian}/prerm ${_tome_debian}/postrm ${_tome_debian}/conffiles)

set(CPACK_DEBIAN_DEV_PACKAGE_NAME libtome-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(_tome_dev_depends
    "libcurl4-openssl-dev | libcurl-dev, zlib1g-dev, nlohmann-json3-dev (>= 3.10), libyaml-cpp-dev, pkgconf | pkg-config")
if(TOME_WITH_GRPC)
  string(APPEND _tome_dev_depends ", libgrpc++-dev")
endif()
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "${_tome_dev_depends}")
set(CPACK_COMPONENT_DEV_DESCRIPTION
"OpenTelemetry SDK and state machine libraries of tome (development files)
Static libraries (C++20) and headers of tome: the OpenTelemetry-compatible SDK
(traces, metrics, logs, OTLP over HTTP and gRPC, W3C context propagation), its
facade tome::Telemetry, and the tome state machines, connector and HTTP API.

Use them from CMake with find_package(tome) and the targets tome::facade or
tome::telemetry, or with pkg-config tome / tome-telemetry.")

include(CPack)
