#!/usr/bin/env bash
# Builds tome and starts `tome serve` with the demo network on http://localhost:3000.
# Extra arguments go to `tome serve` (e.g. --port 8080, --config FILE).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

BUILD_DIR="${TOME_BUILD_DIR:-build}"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$BUILD_DIR" -j2 --target tome
exec "$BUILD_DIR/app/tome" serve --config config/tome.yaml "$@"
