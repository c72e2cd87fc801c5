#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, TOME_FUZZ=ON, clang with AddressSanitizer and
# UndefinedBehaviorSanitizer) in ./build-fuzz and runs each on a copy of its committed seed
# corpus for a bounded time, two targets at a time. Fails on any crash, leak, timeout,
# out-of-memory, UBSan report or broken invariant, and prints the reproducer's path. Prints per
# target: runs, exec/s and coverage (cov: edges, ft: features) at the end.
#
# Usage: scripts/fuzz.sh [--ci] [SECONDS_PER_TARGET] [target...]
#   --ci                 20 s per target (what .ci/run runs); otherwise 300 s per target
#   SECONDS_PER_TARGET   overrides either
#   target...            a subset of the targets (default: all, listed in fuzz/CMakeLists.txt)
# New inputs go to build-fuzz/fuzz-work/<target>/corpus (a copy), never into fuzz/corpus/.
# Reproduce a finding: build-fuzz/fuzz/<target> <reproducer path>
# Environment: TOME_FUZZ_BUILD_DIR overrides the build folder.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

ALL_TARGETS=(fuzz_api_request fuzz_tome_definition fuzz_trace_context fuzz_otlp_protobuf
             fuzz_otlp_json fuzz_config)
SECONDS_PER_TARGET=300
if [ "${1:-}" = "--ci" ]; then SECONDS_PER_TARGET=20; shift; fi
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then SECONDS_PER_TARGET="$1"; shift; fi
TARGETS=("$@")
if [ "${#TARGETS[@]}" -eq 0 ]; then TARGETS=("${ALL_TARGETS[@]}"); fi
for t in "${TARGETS[@]}"; do
  if [[ ! " ${ALL_TARGETS[*]} " =~ " $t " ]]; then
    echo "fuzz.sh: unknown target '$t' (one of: ${ALL_TARGETS[*]})" >&2
    exit 2
  fi
done
BUILD_DIR="${TOME_FUZZ_BUILD_DIR:-build-fuzz}"

scripts/install-deps.sh

LAUNCHER=()
if command -v ccache >/dev/null 2>&1; then LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
# -O0 -g1, without NDEBUG: TOME_ASSERT and the libraries' own assertions are checks a fuzzer
# should trip. -O0 compiles in about half the time of -O1 under the sanitizers (the build is
# most of the CI step's time) and runs about half as many inputs per second. Only what the
# fuzz targets link is built: no tests, benchmarks, UI or gRPC.
configure_start=$SECONDS
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O0 -g1" -DTOME_FUZZ=ON -DTOME_BUILD_TESTS=OFF -DTOME_INSTALL=OFF \
      -DTOME_BUILD_BENCHMARKS=OFF -DTOME_BUILD_UI=OFF -DTOME_WITH_GRPC=OFF "${LAUNCHER[@]}" >/dev/null
echo "fuzz.sh: configure took $((SECONDS - configure_start)) s"
build_start=$SECONDS
cmake --build "$BUILD_DIR" -j2 --target "${TARGETS[@]}"
echo "fuzz.sh: build took $((SECONDS - build_start)) s"

dict_for() {
  case "$1" in
    fuzz_api_request) echo api_request ;;
    fuzz_tome_definition) echo tome_definition ;;
    fuzz_trace_context) echo trace_context ;;
    fuzz_otlp_json) echo otlp_json ;;
    fuzz_config) echo config ;;
    *) echo "" ;;
  esac
}

# Sanitizer reports abort the run (libFuzzer then saves the input); leaks are checked after
# each input that allocated (-detect_leaks, LeakSanitizer).
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
WORK="$ROOT/$BUILD_DIR/fuzz-work"

# One target: runs it, then writes its one-line result to $dir/result and, when it failed,
# the end of its log and the reproducer to $dir/failure.
run_target() {
  local t="$1" dir="$WORK/$1" rc=0
  # -entropic=0: libFuzzer 14's entropic schedule spent 60 % of fuzz_api_request's time in
  # InputCorpus::UpdateFeatureFrequency (these targets reach tens of thousands of edges); off, the
  # API, OTLP/JSON and config targets ran 3x, 3x and 1.3x as many inputs per second.
  local args=(-max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2560 -max_len=16384
              -entropic=0 -print_final_stats=1 -artifact_prefix="$dir/artifacts/")
  local dict
  dict="$(dict_for "$t")"
  if [ -n "$dict" ]; then args+=(-dict="$ROOT/fuzz/dict/$dict.dict"); fi
  (cd "$dir" && "$ROOT/$BUILD_DIR/fuzz/$t" "${args[@]}" corpus >"$dir/log" 2>&1) || rc=$?
  local runs speed cov
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -1)
  cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$dir/log" | tail -1 || true)
  local line="$t: ${runs:-?} runs, ${speed:-?} exec/s, ${cov:-no coverage line}"
  local artifacts=("$dir"/artifacts/*)
  if [ "$rc" -ne 0 ] || [ -e "${artifacts[0]}" ]; then
    line="$line  FAILED (exit $rc)"
    {
      echo "fuzz.sh: $t FAILED; the end of its log ($dir/log):"
      tail -n 60 "$dir/log"
      for a in "${artifacts[@]}"; do
        if [ -e "$a" ]; then echo "fuzz.sh: reproducer: $a (run: $BUILD_DIR/fuzz/$t $a)"; fi
      done
    } >"$dir/failure"
  fi
  echo "$line" >"$dir/result"
}

# Two targets at a time, one per core (a libFuzzer process uses one; the console's ingest
# thread mostly waits).
for t in "${TARGETS[@]}"; do
  dir="$WORK/$t"
  rm -rf "$dir"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp -r "fuzz/corpus/$t/." "$dir/corpus/"
  echo "fuzz.sh: $t for ${SECONDS_PER_TARGET} s"
  run_target "$t" &
  if [ "$(jobs -rp | wc -l)" -ge 2 ]; then wait -n || true; fi
done
wait

status=0
summary=()
for t in "${TARGETS[@]}"; do
  if [ -f "$WORK/$t/failure" ]; then
    status=1
    cat "$WORK/$t/failure" >&2
  fi
  summary+=("$(cat "$WORK/$t/result" 2>/dev/null || echo "$t: no result")")
done

echo "fuzz.sh: summary (${SECONDS_PER_TARGET} s per target):"
printf '  %s\n' "${summary[@]}"
if [ "$status" -ne 0 ]; then
  echo "fuzz.sh: FAILED" >&2
else
  echo "fuzz.sh: passed, nothing found"
fi
exit "$status"
