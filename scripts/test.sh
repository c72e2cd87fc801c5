#!/usr/bin/env bash
# Builds tome and runs every test suite (unit, integration, interop) with CTest.
# Usage: scripts/test.sh            (build directory: ./build)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

BUILD_DIR="${TOME_BUILD_DIR:-build}"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DTOME_BUILD_TESTS=ON -DTOME_BUILD_BENCHMARKS=ON
cmake --build "$BUILD_DIR" -j2
ctest --test-dir "$BUILD_DIR" --output-on-failure -j2 --timeout 300
