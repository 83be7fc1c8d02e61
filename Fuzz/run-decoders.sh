#!/usr/bin/env bash
# Builds the libFuzzer target FuzzDecoders and fuzzes every source decoder for SECONDS each (default 600),
# one after another, then prints a summary table. Exits 1 when any decoder had a finding (the others still run).
# Usage: Fuzz/run-decoders.sh [SECONDS [KIND...]]   KIND: harbor, distribution, ... (default: all, in
#   SourceDecoders.all order). On a shared machine: nice -n 19 Fuzz/run-decoders.sh
# Findings land in Fuzz/findings-decoders/<kind>/ as crash-*, timeout-*, leak-* or oom-* (git-ignored);
# reproduce one with
#   FUZZ_DECODER=<kind> Fuzz/.build/debug/FuzzDecoders Fuzz/findings-decoders/<kind>/crash-<hash>
# Each decoder's corpus in Fuzz/corpus-decoders/<kind> persists between runs; delete it to start again from
# Fuzz/seeds-decoders/<kind>. Each run's whole libFuzzer output is kept in Fuzz/.build/fuzz-decoders/<kind>.log.
# With FUZZ_PAUSE_FILE=PATH, a decoder's run starts only while PATH does not exist (someone taking benchmark
# measurements on the same machine creates it for the duration).
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
if (($# > 0)); then shift; fi
kinds=("$@")

# Shared with run.sh: the build flags (and why they are what they are) are in build.sh.
source ./build.sh
FUZZ_DECODER=${kinds[0]:-harbor} fuzz_build FuzzDecoders "seeds-decoders/${kinds[0]:-harbor}"
fuzzer=.build/debug/FuzzDecoders

# Without FUZZ_DECODER the target lists the valid names: the decoders registered in SourceDecoders.all.
if ((${#kinds[@]} == 0)); then
  read -r -a kinds <<<"$(env -u FUZZ_DECODER "$fuzzer" 2>&1 | sed -n 's/.*one of: //p' | tr -d ,)"
  ((${#kinds[@]} > 0)) || { echo "run-decoders.sh: could not read the decoder names from $fuzzer" >&2; exit 1; }
fi
for kind in "${kinds[@]}"; do
  [[ -d seeds-decoders/$kind ]] || { echo "run-decoders.sh: no seeds-decoders/$kind: add the sender's fixtures there" >&2; exit 2; }
done

mkdir -p .build/fuzz-decoders
rows=()
found=0
for kind in "${kinds[@]}"; do
  if [[ -n ${FUZZ_PAUSE_FILE:-} && -e $FUZZ_PAUSE_FILE ]]; then
    echo "run-decoders.sh: waiting until $FUZZ_PAUSE_FILE is gone" >&2
    while [[ -e $FUZZ_PAUSE_FILE ]]; do sleep 10; done
  fi
  echo "=== $kind: fuzzing for ${seconds}s"
  # A scratch corpus per decoder that grows across runs; the committed seeds are only ever read.
  mkdir -p "corpus-decoders/$kind" "findings-decoders/$kind"
  cp -n "seeds-decoders/$kind"/* "corpus-decoders/$kind/" 2>/dev/null || true
  log=.build/fuzz-decoders/$kind.log
  started=$SECONDS
  set +e
  FUZZ_DECODER=$kind "$fuzzer" "corpus-decoders/$kind" \
    -dict=json.dict -artifact_prefix="findings-decoders/$kind/" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 >"$log" 2>&1
  status=$?
  set -e
  elapsed=$((SECONDS - started))

  echo "--- last progress lines"
  grep -E '^#[0-9]+' "$log" | tail -n 3
  echo "--- final stats"
  grep -E '^(stat::|Done )' "$log" || true
  last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)
  field() { sed -n "s/.* $1: \([^ ]*\).*/\1/p" <<<"$last"; }
  final_stat() { sed -n "s/^stat::$1: *//p" "$log"; }
  result=none
  if ((status != 0)); then
    found=1
    result="FINDING (exit $status): $(grep -o 'findings-decoders/[^ ]*' "$log" | sort -u | tr '\n' ' ')"
    echo "--- fuzzer exited with status $status: finding below"
    grep -n -E 'ERROR|SUMMARY|Test unit written|deadly signal|timeout|Fatal error|^ *#[0-9]+ 0x' "$log" | head -n 60
    echo "run-decoders.sh: FOUND A CRASH OR HANG in $kind; see the findings-decoders/$kind/ file above" >&2
  fi
  rows+=("| $kind | $elapsed | $(final_stat number_of_executed_units) | $(final_stat average_exec_per_sec) | $(field cov) | $(field ft) | $(field corp) | $(ls "corpus-decoders/$kind" | wc -l) | $(final_stat peak_rss_mb) | $result |")
done

echo
echo "=== summary: ${seconds}s per decoder; corp = libFuzzer's inputs/bytes in memory, files = corpus-decoders/<kind>"
echo "| decoder | seconds | runs | exec/s | cov | ft | corp | files | peak RSS MB | findings |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
if ((found)); then
  echo "run-decoders.sh: FOUND A CRASH OR HANG; see the findings column" >&2
  exit 1
fi
echo "run-decoders.sh: no crash, hang or leak in ${seconds}s for any of ${#kinds[@]} decoders"
