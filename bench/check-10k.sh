#!/usr/bin/env bash
# Times `harbinger check` (release build) on a generated rules file against its budget.
# Usage: bench/check-10k.sh [RULES]      (default 10000 rules; BUDGET=seconds, default 0.3)
# Prints hyperfine's mean and median and the peak RSS; exits 1 when the mean is over budget.
set -euo pipefail
cd "$(dirname "$0")/.."
rules=${1:-10000}
budget=${BUDGET:-0.3}

scripts/bootstrap.sh
missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
[[ -x /usr/bin/time ]] || missing+=(time)
if ((${#missing[@]})); then
  sudo=""; [[ $(id -u) == 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

swift build -c release --product harbinger >&2
bin=$(swift build -c release --show-bin-path)/harbinger

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
file="$work/rules-$rules.yml"
python3 bench/gen-rules.py "$rules" >"$file"
echo "rules file: $rules rules, $(wc -l <"$file") lines, $(wc -c <"$file") bytes"

# The file must be valid, or we would be timing the error path.
"$bin" check "$file" || { echo "check-10k: harbinger check rejected the generated file" >&2; exit 2; }

hyperfine -N --warmup 3 --min-runs 10 --export-json "$work/times.json" "$bin check $file"

/usr/bin/time -v "$bin" check "$file" >/dev/null 2>"$work/time.txt"
rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")

python3 - "$work/times.json" "$rss_kb" "$budget" <<'PY'
import json, sys
result = json.load(open(sys.argv[1]))["results"][0]
rss_mb = int(sys.argv[2]) / 1024
budget = float(sys.argv[3])
mean, median = result["mean"], result["median"]
print(f"mean {mean:.3f} s ± {result['stddev']:.3f}, median {median:.3f} s, "
      f"min {result['min']:.3f} s, max {result['max']:.3f} s, {len(result['times'])} runs; peak RSS {rss_mb:.1f} MiB")
verdict = "within" if mean <= budget else "OVER"
print(f"budget {budget} s: {verdict} ({mean / budget:.1f}x)")
sys.exit(0 if mean <= budget else 1)
PY
