# Sourced by run.sh and run-decoders.sh (not run on its own): builds the fuzz package with coverage and
# ASan, and makes sure a fuzzer binary really has the coverage instrumentation.
# Usage, from Fuzz/:  fuzz_build TARGET SEEDS   (the environment, such as FUZZ_DECODER, reaches the check run)

# Swift's crash backtracer (on by default on Linux) catches a Swift runtime trap (an overflow, a force
# unwrap) before libFuzzer does: it printed its own report instead of libFuzzer's "deadly signal", and
# left its `swift-backtrace` helper running long after the fuzzer had exited. Off, libFuzzer alone
# reports the trap, with the ASan-symbolised stack, and writes the input, as for any other crash.
export SWIFT_BACKTRACE=enable=no

# Not `--sanitize=fuzzer --sanitize=address`: SwiftPM passes those as two -sanitize= flags in an
# order that changes from build to build, and swiftc keeps only the last, so a module got either
# coverage or ASan, never both. --sanitize=fuzzer keeps SwiftPM's libFuzzer link setup (main);
# the single combined flag, which comes last, instruments every module with both.
# SwiftPM does not plan a path dependency's targets again when a file is added to one (a new file in
# Sources/RuleParser gave "cannot find type in scope"); without the saved plan it plans afresh, in seconds,
# and still reuses every object that is up to date.
fuzz_swift_build() {
  mkdir -p .build
  rm -f .build/debug.yaml .build/*/debug/description.json
  swift build -c debug --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address --scratch-path .build \
    >.build/fuzz-build.log 2>&1
}

# ld.gold warns once per ASan helper symbol; the log is shown only on failure.
fuzz_show_build_log() {
  grep -v "Cannot export local symbol" .build/fuzz-build.log >&2
}

# True when libFuzzer reports coverage counters for SEEDS. The output is read whole before grep sees it:
# `fuzzer | grep -q` under pipefail fails when grep exits first and the fuzzer dies of SIGPIPE.
fuzz_has_coverage() {
  local output
  output=$("$1" -runs=0 "$2" 2>&1) || true
  grep -q "INITED cov:" <<<"$output"
}

# Builds every target of the package (FuzzRules and FuzzDecoders), then checks TARGET against SEEDS and
# rebuilds from clean once when it has no coverage.
fuzz_build() {
  local target=$1 seeds=$2 fuzzer=.build/debug/$1
  ../scripts/bootstrap.sh || return 1
  echo "$(basename "$0"): building the fuzz targets (debug, fuzzer + address sanitizer)" >&2
  fuzz_swift_build || { fuzz_show_build_log; return 1; }
  if ! fuzz_has_coverage "$fuzzer" "$seeds"; then
    echo "$(basename "$0"): $target has no coverage instrumentation; rebuilding from clean" >&2
    rm -rf .build
    fuzz_swift_build || { fuzz_show_build_log; return 1; }
    fuzz_has_coverage "$fuzzer" "$seeds" || { echo "$(basename "$0"): still no coverage instrumentation" >&2; return 1; }
  fi
}
