#!/usr/bin/env bash
# Builds tome and runs every test suite (unit, integration, interop) with CTest.
# Usage: scripts/test.sh            (build directory: ./build)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

# The JavaScript test dependencies, pinned by their package-lock.json files: tests/interop (the
# official OpenTelemetry JS SDK) and tests/ui (playwright-core). Before cmake: those tests are
# registered only when node_modules exists (otherwise as failing tests that say why).
# The console UI's own npm ci (console/ui) runs in the CMake build.
if command -v node >/dev/null 2>&1; then
  for dir in tests/interop tests/ui; do
    if ! npm ci --prefix "$dir" --no-audit --no-fund; then
      echo "test.sh: 'npm ci --prefix $dir' failed; its tests cannot run" >&2
      exit 1
    fi
  done
fi

BUILD_DIR="${TOME_BUILD_DIR:-build}"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DTOME_BUILD_TESTS=ON -DTOME_BUILD_BENCHMARKS=ON
cmake --build "$BUILD_DIR" -j2
ctest --test-dir "$BUILD_DIR" --output-on-failure -j2 --timeout 300
