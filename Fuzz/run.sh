#!/usr/bin/env bash
# Builds the libFuzzer target and fuzzes the rules parser for SECONDS (default 600).
# Usage: Fuzz/run.sh [SECONDS]
# Findings land in Fuzz/ as crash-*, timeout-*, leak-* or oom-* (git-ignored); reproduce one with
#   Fuzz/.build/debug/FuzzRules Fuzz/crash-<hash>
# The corpus in Fuzz/corpus persists between runs; delete it to start again from Fuzz/seeds.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}

# Shared with run-decoders.sh: the build flags (and why they are what they are) are in build.sh.
source ./build.sh
fuzz_build FuzzRules seeds
fuzzer=.build/debug/FuzzRules

# A scratch corpus that grows across runs; the committed seeds are only ever read.
mkdir -p corpus
cp -n seeds/* corpus/ 2>/dev/null || true

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
"$fuzzer" corpus \
  -dict=rules.dict \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 >"$log" 2>&1
status=$?
set -e

echo "--- last progress lines"
grep -E '^#[0-9]+' "$log" | tail -n 3
echo "--- final stats"
grep -E '^(stat::|Done )' "$log" || true
if ((status != 0)); then
  echo "--- fuzzer exited with status $status: finding below"
  grep -n -E 'ERROR|SUMMARY|Test unit written|deadly signal|timeout|Fatal error|^ *#[0-9]+ 0x' "$log" | head -n 60
  echo "run.sh: FOUND A CRASH OR HANG; see the crash-*/timeout-*/leak-*/oom-* file above" >&2
  exit "$status"
fi
echo "run.sh: no crash, hang or leak in ${seconds}s; corpus has $(ls corpus | wc -l) inputs"
