#!/usr/bin/env bash
# Replicates a 100 MB single-layer image between two loopback registries with Harbinger and with
# `skopeo copy`, side by side in one run, and prints both times, the ratio and Harbinger's peak RSS.
# Usage: bench/replicate.sh [RUNS]   (default 5 runs of each, alternating; SIZE_MB=100)
# Goal (issue: replicate): Harbinger's median time at most 1.0x skopeo's, its peak RSS at most 64 MB.
# Exits 1 when a goal is missed.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
size=${SIZE_MB:-100}
shared=$(cd .. && pwd)/shared/e2e

scripts/bootstrap.sh
[[ -x /usr/bin/time ]] || { sudo=""; [[ $(id -u) == 0 ]] || sudo="sudo"; $sudo apt-get install -y -qq time >/dev/null; }
swift build -c release --product harbinger >&2
bin=$(swift build -c release --show-bin-path)/harbinger

work=$(mktemp -d)
cleanup() {
  bash "$shared/registry.sh" stop "$work/source" || true
  bash "$shared/registry.sh" stop "$work/dest" || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
src_port=$(free_port)
bash "$shared/registry.sh" start "$work/source" "$src_port"
bash "$shared/make-image.sh" "$work/layout" big "$size" >/dev/null
skopeo copy -q --dest-tls-verify=false "oci:$work/layout:big" "docker://127.0.0.1:$src_port/bench/big:1"
echo "image: one $size MB layer at 127.0.0.1:$src_port/bench/big:1; a fresh destination registry per run"

# Every run copies into a new destination registry, so both tools send every byte: skopeo keeps a
# blob-info cache (/var/lib/containers/cache) and would otherwise mount the layer from its previous
# copy instead of uploading it, and Harbinger skips blobs a repository already has. The order of
# the two tools alternates between runs.
timed() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 2; }
  read -r seconds rss_kb <"$work/time"
  echo "$label $seconds $rss_kb" >>"$work/results"
  awk -v l="$label" -v s="$seconds" -v k="$rss_kb" 'BEGIN { printf "  %-9s %6.2f s  peak RSS %6.1f MiB\n", l, s, k / 1024 }'
}
harbinger_copy() { timed harbinger "$bin" replicate --insecure "127.0.0.1:$src_port/bench/big:1" "$1/harbinger/big:1"; }
skopeo_copy() {
  timed skopeo skopeo copy -q --src-tls-verify=false --dest-tls-verify=false \
    "docker://127.0.0.1:$src_port/bench/big:1" "docker://$1/skopeo/big:1"
}
for i in $(seq "$runs"); do
  dst_port=$(free_port)
  bash "$shared/registry.sh" start "$work/dest" "$dst_port"
  echo "run $i (destination 127.0.0.1:$dst_port)"
  if ((i % 2)); then harbinger_copy "127.0.0.1:$dst_port"; skopeo_copy "127.0.0.1:$dst_port"
  else skopeo_copy "127.0.0.1:$dst_port"; harbinger_copy "127.0.0.1:$dst_port"; fi
  want=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://127.0.0.1:$src_port/bench/big:1")
  got=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://127.0.0.1:$dst_port/harbinger/big:1")
  [[ $want == "$got" ]] || { echo "replicate: digest differs at the destination: $got, want $want" >&2; exit 2; }
  bash "$shared/registry.sh" stop "$work/dest"
  rm -rf "$work/dest"
done


python3 - "$work/results" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
def of(tool, column): return [float(r[column]) for r in rows if r[0] == tool]
h, s = statistics.median(of("harbinger", 1)), statistics.median(of("skopeo", 1))
h_rss, s_rss = max(of("harbinger", 2)) / 1024, max(of("skopeo", 2)) / 1024
print(f"median time: harbinger {h:.2f} s, skopeo {s:.2f} s; ratio {h / s:.2f}x (goal <= 1.0x)")
print(f"peak RSS: harbinger {h_rss:.1f} MiB (goal <= 64), skopeo {s_rss:.1f} MiB")
ok = h <= s and h_rss <= 64
print("PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
PY
