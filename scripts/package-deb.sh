#!/usr/bin/env bash
# Builds the Debian packages `tome` and `libtome-dev` from a Release build in ./build-package
# (no tests or benchmarks), with CPack (cmake/TomePackage.cmake). The .deb files land in
# ./build-package/packages.
# Usage: scripts/package-deb.sh
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
BUILD_DIR="${TOME_PACKAGE_BUILD_DIR:-build-package}"
# Debian's build flags, with every hardening option (stack protector, _FORTIFY_SOURCE, PIE,
# RELRO with immediate binding), as a package built by debhelper gets them.
export DEB_BUILD_MAINT_OPTIONS="hardening=+all"
CXXFLAGS="$(dpkg-buildflags --get CXXFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
LDFLAGS="$(dpkg-buildflags --get LDFLAGS)"
export CXXFLAGS LDFLAGS
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DTOME_BUILD_TESTS=OFF -DTOME_BUILD_BENCHMARKS=OFF
cmake --build "$BUILD_DIR" -j2
cpack -G DEB -B "$BUILD_DIR/packages" --config "$BUILD_DIR/CPackConfig.cmake"
ls -l "$BUILD_DIR"/packages/*.deb
