#!/usr/bin/env bash
# Installs everything tome needs to build and test on Debian 12, from Debian's packages only.
# Safe to run more than once. Run as root (or with sudo available).
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

PACKAGES=(
  build-essential cmake ninja-build pkg-config git curl ca-certificates
  # GCC 12's ThreadSanitizer, AddressSanitizer (with LeakSanitizer) and UBSan runtimes, for
  # scripts/sanitize.sh. libgcc-12-dev already depends on them; listed so that it is explicit.
  libasan8 libtsan2 libubsan1
  # clang and its libFuzzer/sanitizer runtimes (libclang-rt-14-dev, only recommended by clang),
  # for the fuzz targets of scripts/fuzz.sh; clang is also the second compiler tests/package
  # builds the library example with (against the GCC-built libraries).
  clang libclang-rt-14-dev
  libboost-dev libboost-system-dev
  libcurl4-openssl-dev libssl-dev zlib1g-dev
  nlohmann-json3-dev libyaml-cpp-dev libcli11-dev
  # SQLite: the store of the network, tome states and the audit trail (storage/); openssl:
  # the TLS test makes its own CAs and certificates.
  libsqlite3-dev openssl
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-yaml
  libprotobuf-dev protobuf-compiler
  prometheus prometheus-alertmanager
  libgrpc++-dev protobuf-compiler-grpc
  chromium
  # The Debian packages (cpack -G DEB, tests/package): dpkg-shlibdeps, file (CPack finds the
  # binaries with it) and lintian.
  dpkg-dev file lintian
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all packages present"
fi

# Node.js and npm run the interop tests (tests/interop) against the official OpenTelemetry JS
# SDK. Installed from Debian only when no `node` is on PATH (a newer Node may be there already).
if ! command -v node >/dev/null 2>&1; then
  echo "install-deps: installing nodejs npm (no node on PATH)"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends nodejs npm
fi
