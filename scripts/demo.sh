#!/usr/bin/env bash
# The main job: builds tome and runs `tome demo`, the demo network under a steady, traced order
# workload, serving the API and /metrics on http://localhost:3000 until Ctrl-C. Without an OTLP
# endpoint it prints a one-line summary every few seconds; with one
# (OTEL_EXPORTER_OTLP_ENDPOINT=http://host:4318) it exports traces, metrics and logs there.
# Extra arguments go to `tome demo` (e.g. --orders 100, --rate 50, --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

BUILD_DIR="${TOME_BUILD_DIR:-build}"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$BUILD_DIR" -j2 --target tome
exec "$BUILD_DIR/app/tome" demo --config config/tome.yaml "$@"
