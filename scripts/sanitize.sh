#!/usr/bin/env bash
# Builds the test suite with a sanitizer in its own build folder and runs it with CTest; fails on
# any test failure and on any sanitizer report, also one from a child process (the `tome` binary
# started by the integration and interop tests) whose exit status a test does not check.
#
# Usage: scripts/sanitize.sh thread|address [--ci] [ctest selection...]
#   thread     ThreadSanitizer                                   build folder ./build-tsan
#   address    AddressSanitizer + LeakSanitizer + UndefinedBehaviorSanitizer   ./build-asan
#   --ci       only the part that .ci/run runs under this sanitizer (see ci_selection below)
#   ctest selection: passed to ctest as is, e.g. -R '^Connector\.' or -E '^interop\.' or -L stress
# Environment: TOME_SANITIZE_BUILD_DIR overrides the build folder.
#
# The only exception list is tests/sanitizers/*.supp: reports inside uninstrumented system
# libraries (Debian's libgrpc), each entry saying why it is not a race of ours.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

usage() { sed -n '6,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 1 ] || usage
MODE="$1"
shift
CI=0
if [ "${1:-}" = "--ci" ]; then CI=1; shift; fi

case "$MODE" in
  thread)
    SANITIZE="thread"
    BUILD_DIR="${TOME_SANITIZE_BUILD_DIR:-build-tsan}"
    ;;
  address)
    SANITIZE="address,undefined"  # LeakSanitizer is part of AddressSanitizer on Linux
    BUILD_DIR="${TOME_SANITIZE_BUILD_DIR:-build-asan}"
    ;;
  *) usage ;;
esac

# The part of the suite .ci/run runs under each sanitizer (--ci): the targets to build (only
# those, so that the sanitizer build stays small) and a ctest -R pattern that selects exactly
# the tests of those targets. The reasons for the choice are in .ci/run. A test binary that is
# not built registers a failing "<target>_NOT_BUILT" test, which the patterns do not match.
# (Test names are "<prefix><Suite>.<Case>", see tests/*/CMakeLists.txt.)
ci_targets() {
  case "$MODE" in
    thread) echo "tome_telemetry_tests tome_telemetry_metrics_tests tome_connector_tests
                  tome_robotcopy_tests tome_server_tests tome_console_tests tome_storage_tests" ;;
    address) echo "tome_core_tests tome_console_tests" ;;
  esac
}
ci_pattern() {
  case "$MODE" in
    thread) echo '^(telemetry\.|Connector\.|RobotCopy\.|console\.|HttpServer|NetworkStore\.|RestoreNetwork\.|StateWriter\.|Audit\.)' ;;
    address) echo '^(console|FeatureToggles|Guard|Ids|JsonPath|JsonText|ParseBool|Result|Status|Tome|TomeDefinition|TomeDefinitionErrors|TomeRegistry)\.' ;;
  esac
}
# What the pattern would also match in a build folder that once built more (a full run):
# the telemetry suites not in the list, and the promtool lint (a text format check, no threads).
ci_exclude() {
  case "$MODE" in
    thread) echo '^telemetry\.(logs|otlp_export)\.|^telemetry\.metrics\.PromtoolCheckMetrics$' ;;
    address) echo '^$' ;;
  esac
}

scripts/install-deps.sh

# The interop tests (tests/interop) drive the real `tome` binary, built here with the sanitizer,
# from the official OpenTelemetry JS SDK, and the browser test (tests/ui) drives it from
# chromium. Before cmake, as in scripts/test.sh; not for --ci, which runs neither.
if [ "$CI" = 0 ] && command -v node >/dev/null 2>&1; then
  for dir in tests/interop tests/ui; do
    if ! npm ci --prefix "$dir" --no-audit --no-fund; then
      echo "sanitize.sh: 'npm ci --prefix $dir' failed; its tests cannot run" >&2
      exit 1
    fi
  done
fi

# The console's web UI (npm ci and a Vite build) is needed only by the browser test
# (tests/ui), which --ci does not run; without it the console embeds its fallback page.
BUILD_UI=ON
if [ "$CI" = 1 ]; then BUILD_UI=OFF; fi
LAUNCHER=()
if command -v ccache >/dev/null 2>&1; then LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
# No install rules or packages (TOME_INSTALL=OFF): a sanitizer build is not one to install, and
# its libraries cannot be linked by a consumer built without the sanitizer.
# Release code (NDEBUG, as shipped) at -O1 -g1: under a sanitizer that compiles in about half
# the time of RelWithDebInfo's -O2 -g and still gives file:line stack traces. Benchmarks are
# not built: CTest does not run them.
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
      -DTOME_BUILD_TESTS=ON -DTOME_BUILD_BENCHMARKS=OFF -DTOME_SANITIZE="$SANITIZE" \
      -DTOME_BUILD_UI="$BUILD_UI" -DTOME_INSTALL=OFF "${LAUNCHER[@]}"
TARGETS=()
if [ "$CI" = 1 ]; then
  # shellcheck disable=SC2207  # a fixed list of target names without spaces
  TARGETS=(--target $(ci_targets))
fi
build_start=$SECONDS
cmake --build "$BUILD_DIR" -j2 "${TARGETS[@]}"
echo "sanitize.sh: $MODE: build took $((SECONDS - build_start)) s"

# Reports go to files (one per process) rather than to stderr, so that a report from a child
# process whose exit status is not checked still fails this script. halt_on_error stops the
# process at its first report, which fails the test that ran it.
LOG_DIR="$ROOT/$BUILD_DIR/sanitizer-reports"
rm -rf "$LOG_DIR"
mkdir -p "$LOG_DIR"
SUPP="$ROOT/tests/sanitizers"
COMMON="halt_on_error=1:log_path=$LOG_DIR/report:log_exe_name=1"
unset TSAN_OPTIONS ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS
# Tests that bound elapsed time multiply their bounds by this (ThreadSanitizer makes code 5-15x
# slower, AddressSanitizer 2-3x; see tests/support/include/tome/testing/sanitizer_scale.hpp).
if [ "$MODE" = thread ]; then
  export TOME_TEST_TIME_SCALE=8
else
  export TOME_TEST_TIME_SCALE=3
fi
if [ "$MODE" = thread ]; then
  export TSAN_OPTIONS="$COMMON:exitcode=66:second_deadlock_stack=1:history_size=4:suppressions=$SUPP/tsan.supp"
else
  export ASAN_OPTIONS="$COMMON:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:detect_odr_violation=2"
  export LSAN_OPTIONS="suppressions=$SUPP/lsan.supp"
  # UBSan reports abort the process (-fno-sanitize-recover=undefined, see
  # cmake/TomeSanitizers.cmake), which fails the test that ran it. With GCC's separate libubsan
  # next to libasan they go to stderr whatever log_path says (checked with GCC 12), so a report
  # from a child process is caught only when it reaches CTest's log (see below) or kills the
  # child while a test still talks to it.
  export UBSAN_OPTIONS="$COMMON:print_stacktrace=1"
fi

SELECTION=("$@")
if [ "$CI" = 1 ]; then
  SELECTION=(-R "$(ci_pattern)" -E "$(ci_exclude)" "${SELECTION[@]}")
fi
echo "sanitize.sh: $MODE: ctest ${SELECTION[*]}"

status=0
test_start=$SECONDS
ctest --test-dir "$BUILD_DIR" --output-on-failure -j2 --timeout 600 "${SELECTION[@]}" || status=$?
echo "sanitize.sh: $MODE: tests took $((SECONDS - test_start)) s"

reports=("$LOG_DIR"/report*)
if [ -e "${reports[0]}" ]; then
  echo "sanitize.sh: $MODE: ${#reports[@]} sanitizer report(s):" >&2
  for r in "${reports[@]}"; do
    echo "==== $r" >&2
    cat "$r" >&2
  done
  status=1
fi
# What went to stderr instead (UBSan, see above): CTest keeps every test's output, passed or not.
LAST_LOG="$BUILD_DIR/Testing/Temporary/LastTest.log"
if [ -f "$LAST_LOG" ] &&
   grep -E -n 'runtime error: |ERROR: (Address|Leak|Thread)Sanitizer|WARNING: ThreadSanitizer' \
        "$LAST_LOG" >&2; then
  echo "sanitize.sh: $MODE: sanitizer report(s) in $LAST_LOG (lines above)" >&2
  status=1
fi
if [ "$status" -ne 0 ]; then
  echo "sanitize.sh: $MODE: FAILED" >&2
else
  echo "sanitize.sh: $MODE: passed, no sanitizer report"
fi
exit "$status"
