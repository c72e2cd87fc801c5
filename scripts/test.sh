#!/usr/bin/env bash
# Builds tome and runs every test suite (unit, integration, interop) with CTest.
# Usage: scripts/test.sh            (build directory: ./build)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

# The interop tests' JavaScript dependencies (the official OpenTelemetry JS SDK), pinned by
# tests/interop/package-lock.json. Before cmake: the interop tests are registered only when
# tests/interop/node_modules exists (otherwise they are registered as failing tests).
if command -v node >/dev/null 2>&1; then
  if ! npm ci --prefix tests/interop --no-audit --no-fund; then
    echo "test.sh: 'npm ci --prefix tests/interop' failed; the interop tests cannot run" >&2
    exit 1
  fi
fi

BUILD_DIR="${TOME_BUILD_DIR:-build}"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DTOME_BUILD_TESTS=ON -DTOME_BUILD_BENCHMARKS=ON
cmake --build "$BUILD_DIR" -j2
ctest --test-dir "$BUILD_DIR" --output-on-failure -j2 --timeout 300
