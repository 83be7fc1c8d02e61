#!/usr/bin/env bash
# Serve and deliver: Harbinger's ingest, shell and HTTP delivery rates and its memory, side by side
# with adnanh/webhook, a bare Hummingbird endpoint, wrk against nginx; prints the ratios to the targets.
# Usage: bench/serve.sh
#   DURATION=10s        each wrk run (ingest and the reference rates)
#   SHELL_EVENTS=5000   events whose rule runs /bin/true      SHELL_CONCURRENCY=32 (the rule's concurrency; webhook runs 32 at once)
#   HTTP_EVENTS=20000   events whose rule posts to nginx      HTTP_CONCURRENCY=32 (the action's concurrency)
#   PENDING=100000      pending deliveries for the memory figure, with RULES=10000 generated rules
#   SKIP_BUILD=1        use the release binaries already built
#   HARBINGER=PATH      run this harbinger binary (another build, to compare)   BARE_ENDPOINT=PATH likewise
# Exits 1 when a target is missed. wrk always runs -t2 -c32 with bench/post-event.lua, which gives every
# request its own event id (Harbinger answers a repeated id 200 without storing anything).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
duration=${DURATION:-10s}
shell_events=${SHELL_EVENTS:-5000}
shell_concurrency=${SHELL_CONCURRENCY:-32}
http_events=${HTTP_EVENTS:-20000}
http_concurrency=${HTTP_CONCURRENCY:-32}
pending=${PENDING:-100000}
rule_count=${RULES:-10000}
payload=$root/Tests/RouterTests/Fixtures/distribution-captured/03-push-manifest.json
lua=$root/bench/post-event.lua
token="Bearer bench-token"
threads=2 connections=32

# --- tools, temp dir and processes (bench/lib.sh) -------------------------------------------------
source bench/lib.sh
install_missing wrk webhook nginx curl python3
nginx_bin=$(nginx_bin)

if [[ -z ${SKIP_BUILD:-} ]]; then
  scripts/bootstrap.sh
  swift build -c release --product harbinger >&2
  (cd Benchmarks && swift build -c release --product BareEndpoint >&2)
fi
harbinger=${HARBINGER:-$(swift build -c release --show-bin-path)/harbinger}
bare=${BARE_ENDPOINT:-$(cd Benchmarks && swift build -c release --show-bin-path)/BareEndpoint}
[[ -x $harbinger && -x $bare ]] || { echo "serve.sh: build harbinger and BareEndpoint first (or unset SKIP_BUILD)" >&2; exit 2; }

rss() {        # rss PID FIELD: VmRSS or VmHWM in MiB
  awk -v f="$2:" '$1 == f { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}
metric() {     # metric PORT REGEX: the sum of the Prometheus samples whose line matches REGEX
  curl -s "http://127.0.0.1:$1/metrics" | awk -v re="$2" '$0 ~ re && $1 !~ /^#/ { sum += $NF } END { printf "%d", sum }'
}
rate=""
wrk_run() {    # wrk_run NAME URL: wrk with the event script for $duration; sets $rate (Requests/sec)
  local name=$1 url=$2
  wrk -t$threads -c$connections -d"$duration" --latency -s "$lua" "$url" -- "$payload" "$token" "$name-$RANDOM" \
    >"$work/wrk-$name.txt"
  sed 's/^/    /' "$work/wrk-$name.txt" >&2
  if grep -q "Non-2xx" "$work/wrk-$name.txt"; then
    echo "serve.sh: $name answered errors: $(grep Non-2xx "$work/wrk-$name.txt")" >&2
    exit 2
  fi
  rate=$(awk '/^Requests\/sec:/ { print $2 }' "$work/wrk-$name.txt")
}
now() { date +%s.%N; }
divide() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
declare -A result
note() { result[$1]=$2; echo "  $1 = $2" >&2; }

# deliver PORT NAME EVENTS RULE: posts EVENTS distinct events to the Harbinger on PORT and waits until
# RULE's deliveries all succeeded; sets $accepted and $seconds (from the first request to the last success).
accepted="" seconds=""
deliver() {
  local port=$1 name=$2 events=$3 rule=$4
  local t0 load succeeded failed
  t0=$(now)
  post_until "$port" "$name" "$events"
  while :; do
    succeeded=$(metric "$port" "harbinger_deliveries_total.*rule=\"$rule\".*outcome=\"succeeded\"")
    failed=$(metric "$port" "harbinger_deliveries_total.*rule=\"$rule\".*outcome=\"(failed|dead|retry)\"")
    if (( failed > 0 )); then
      echo "serve.sh: $name: $failed deliveries did not succeed at once" >&2; tail -5 "$work/$name.log" >&2; exit 2
    fi
    (( succeeded >= accepted )) && break
    sleep 0.02
  done
  seconds=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
}

# post_until PORT NAME EVENTS: wrk posts distinct events until the Harbinger on PORT accepted EVENTS;
# sets $accepted (a few more than EVENTS may arrive: the requests in flight when wrk stops).
post_until() {
  local port=$1 name=$2 events=$3
  wrk -t$threads -c$connections -d600s -s "$lua" "http://127.0.0.1:$port/hooks/registry" -- \
    "$payload" "$token" "$name-$RANDOM" $(( (events + threads - 1) / threads )) >"$work/wrk-$name.txt" 2>&1 &
  local load=$!
  pids+=("$load")
  until (( $(metric "$port" 'harbinger_requests_total.*outcome="accepted"') >= events )); do sleep 0.05; done
  stop "$load"
  sleep 0.2   # answers still in flight when wrk stopped
  accepted=$(metric "$port" 'harbinger_requests_total.*outcome="accepted"')
}

harbinger_start() {  # harbinger_start NAME RULES: serve RULES with a new store; sets $port and $started
  port=$(free_port)
  start "$work/$1.log" "$harbinger" serve --rules "$2" --listen "127.0.0.1:$port" --store "sqlite:$work/$1.db"
  wait_http "http://127.0.0.1:$port/readyz"
}

rules_file() {  # rules_file RULE-YAML: a rules file with the `registry` source and one rule
  cat <<EOF
version: 1
sources:
  - name: registry
    kind: distribution
    auth: { bearer: "bench-token" }
rules:
$1
EOF
}

echo "serve.sh: $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); wrk -t$threads -c$connections -d$duration" >&2

# --- 1. ingest -----------------------------------------------------------------------------------
echo "1. ingest: a rule that does not match (repository other/app; the payload is team/app)" >&2
port=$(free_port); start "$work/bare.log" "$bare" "$port" bare; wait_http "http://127.0.0.1:$port/"
wrk_run bare "http://127.0.0.1:$port/hooks/registry"; note ingest.bare "$rate"; stop "$started"

port=$(free_port); start "$work/bare-collect.log" "$bare" "$port" collect; wait_http "http://127.0.0.1:$port/"
wrk_run bare-collect "http://127.0.0.1:$port/hooks/registry"; note ingest.bare_collect "$rate"; stop "$started"

port=$(free_port); start "$work/bare-json.log" "$bare" "$port" jsondecoder; wait_http "http://127.0.0.1:$port/"
wrk_run bare-jsondecoder "http://127.0.0.1:$port/hooks/registry"; note ingest.bare_jsondecoder "$rate"; stop "$started"

# adnanh/webhook: the same auth check and the same non-matching condition, on the parsed payload.
cat >"$work/hooks.json" <<EOF
[
  {
    "id": "registry",
    "execute-command": "/bin/true",
    "trigger-rule": { "and": [
      { "match": { "type": "value", "value": "$token", "parameter": { "source": "header", "name": "Authorization" } } },
      { "match": { "type": "value", "value": "push", "parameter": { "source": "payload", "name": "events.0.action" } } },
      { "match": { "type": "value", "value": "other/app", "parameter": { "source": "payload", "name": "events.0.target.repository" } } }
    ] }
  },
  {
    "id": "shell",
    "execute-command": "/bin/true",
    "include-command-output-in-response": true,
    "trigger-rule": { "and": [
      { "match": { "type": "value", "value": "$token", "parameter": { "source": "header", "name": "Authorization" } } },
      { "match": { "type": "value", "value": "push", "parameter": { "source": "payload", "name": "events.0.action" } } },
      { "match": { "type": "value", "value": "team/app", "parameter": { "source": "payload", "name": "events.0.target.repository" } } }
    ] }
  }
]
EOF
webhook_port=$(free_port)
start "$work/webhook.log" webhook -hooks "$work/hooks.json" -ip 127.0.0.1 -port "$webhook_port"
webhook_pid=$started
wait_http "http://127.0.0.1:$webhook_port/"
wrk_run webhook "http://127.0.0.1:$webhook_port/hooks/registry"; note ingest.webhook "$rate"
note rss.webhook_after_ingest "$(rss "$webhook_pid" VmRSS)"

rules_file '  - name: other-app
    when: { source: registry, event: push, repository: "other/app" }
    do:
      - shell: { command: ["/bin/true"] }' >"$work/ingest.yml"
harbinger_start ingest "$work/ingest.yml"
wrk_run harbinger "http://127.0.0.1:$port/hooks/registry"; note ingest.harbinger "$rate"
note ingest.harbinger_accepted "$(metric "$port" 'harbinger_requests_total.*outcome="accepted"')"
note ingest.harbinger_duplicates "$(metric "$port" 'harbinger_requests_total.*outcome="duplicate"')"
note rss.harbinger_after_ingest "$(rss "$started" VmRSS)"
stop "$started"

# --- 2. shell actions ----------------------------------------------------------------------------
echo "2. shell actions running /bin/true" >&2
wrk_run webhook-shell "http://127.0.0.1:$webhook_port/hooks/shell"; note shell.webhook "$rate"
note rss.webhook_after_shell "$(rss "$webhook_pid" VmRSS)"
note rss.webhook_peak "$(rss "$webhook_pid" VmHWM)"
stop "$webhook_pid"

rules_file "  - name: run-true
    when: { source: registry, event: push, repository: \"team/app\" }
    do:
      - shell: { command: [\"/bin/true\"], concurrency: $shell_concurrency }" >"$work/shell.yml"
harbinger_start shell "$work/shell.yml"
deliver "$port" shell "$shell_events" run-true
note shell.harbinger_events "$accepted"
note shell.harbinger_seconds "$seconds"
note shell.harbinger "$(divide "$accepted" "$seconds")"
stop "$started"

# --- 3. HTTP deliveries --------------------------------------------------------------------------
echo "3. HTTP deliveries to nginx answering 204" >&2
nginx_port=$(free_port)
nginx_config 1 "$nginx_port" >"$work/nginx.conf"
start "$work/nginx.log" "$nginx_bin" -c "$work/nginx.conf" -p "$work/nginx" -g "daemon off;"
nginx_pid=$started
wait_http "http://127.0.0.1:$nginx_port/"
wrk_run nginx "http://127.0.0.1:$nginx_port/deploy"; note http.wrk_nginx "$rate"

rules_file "  - name: notify
    when: { source: registry, event: push, repository: \"team/app\" }
    do:
      - http: { url: \"http://127.0.0.1:$nginx_port/deploy/{{repository}}\", concurrency: $http_concurrency }" >"$work/http.yml"
harbinger_start http "$work/http.yml"
deliver "$port" http "$http_events" notify
note http.harbinger_events "$accepted"
note http.harbinger_seconds "$seconds"
note http.harbinger "$(divide "$accepted" "$seconds")"
stop "$started"
stop "$nginx_pid"

# --- 4. memory: 10,000 rules and 100,000 pending deliveries ---------------------------------------
echo "4. memory with $rule_count rules and $pending pending deliveries" >&2
# A receiver that accepts connections and never answers: deliveries wait on it, the rest stay pending.
sink_port=$(free_port)
start "$work/sink.log" python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1024)
held = []
while True:
    held.append(s.accept()[0])' "$sink_port"
mkdir -p "$work/rules"
python3 bench/gen-rules.py "$rule_count" >"$work/rules/rules.yml"
# The generated file's `registry` source takes Basic registry:change-me from 127.0.0.0/8.
cat >"$work/rules/zz-bench.yml" <<EOF
version: 1
rules:
  - name: bench-pending
    when: { source: registry, event: push, repository: "team/app" }
    do:
      - http: { url: "http://127.0.0.1:$sink_port/never-answers", timeout: 30m }
EOF
token="Basic cmVnaXN0cnk6Y2hhbmdlLW1l"
harbinger_start memory "$work/rules"
memory_pid=$started
sleep 1   # the load's YAML tree is freed on a thread of its own, sometimes just after the server listens
note rss.harbinger_rules_loaded "$(rss "$memory_pid" VmRSS)"
t0=$(now)
post_until "$port" pending "$pending"
seconds=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
note memory.accepted "$accepted"
note memory.ingest_rate_10k_rules "$(divide "$accepted" "$seconds")"
sleep 2   # the queue-depth gauge is refreshed every second
note memory.queue_depth "$(metric "$port" '^harbinger_queue_depth')"
note rss.harbinger "$(rss "$memory_pid" VmRSS)"
note rss.harbinger_peak "$(rss "$memory_pid" VmHWM)"
kill -KILL "$memory_pid"; wait "$memory_pid" 2>/dev/null || true   # its in-flight deliveries would hold SIGTERM 10 s

# --- table -----------------------------------------------------------------------------------------
for key in "${!result[@]}"; do echo "$key=${result[$key]}"; done >"$work/results.txt"
python3 - "$work/results.txt" <<'PY'
import sys
r = {}
for line in open(sys.argv[1]):
    key, _, value = line.strip().partition("=")
    r[key] = float(value)
rows, failed = [], False
def line(what, value, unit, reference, ratio, target, higher=True):
    global failed
    ok = ratio >= target if higher else ratio <= target
    failed |= not ok
    rows.append((what, f"{value:,.0f} {unit}" if value >= 100 else f"{value:,.1f} {unit}", reference,
                 f"{ratio:.2f}", ("≥ " if higher else "≤ ") + f"{target:g}", "PASS" if ok else "FAIL"))
line("ingest, rule not matching", r["ingest.harbinger"], "req/s", f"webhook {r['ingest.webhook']:,.0f} req/s",
     r["ingest.harbinger"] / r["ingest.webhook"], 1.0)
line("ingest, rule not matching", r["ingest.harbinger"], "req/s", f"bare Hummingbird {r['ingest.bare']:,.0f} req/s",
     r["ingest.harbinger"] / r["ingest.bare"], 2 / 3)
rows.append(("  (bare, reading the body)", f"{r['ingest.bare_collect']:,.0f} req/s", "", f"{r['ingest.harbinger'] / r['ingest.bare_collect']:.2f}", "info", ""))
rows.append(("  (bare + JSONDecoder)", f"{r['ingest.bare_jsondecoder']:,.0f} req/s", "", f"{r['ingest.harbinger'] / r['ingest.bare_jsondecoder']:.2f}", "info", ""))
line("shell actions, /bin/true", r["shell.harbinger"], "/s", f"webhook {r['shell.webhook']:,.0f} /s",
     r["shell.harbinger"] / r["shell.webhook"], 1.2)
line("HTTP deliveries to nginx 204", r["http.harbinger"], "/s", f"wrk→nginx {r['http.wrk_nginx']:,.0f} req/s",
     r["http.harbinger"] / r["http.wrk_nginx"], 0.5)
line("RSS, 10k rules + pending", r["rss.harbinger"], "MiB", f"{r['memory.queue_depth']:,.0f} pending", r["rss.harbinger"], 64, higher=False)
rows.append(("  (peak VmHWM)", f"{r['rss.harbinger_peak']:,.1f} MiB", f"rules only {r['rss.harbinger_rules_loaded']:.1f} MiB", "", "info", ""))
rows.append(("  (webhook after its runs)", f"{r['rss.webhook_after_shell']:,.1f} MiB", f"peak {r['rss.webhook_peak']:.1f} MiB", "", "info", ""))
header = ("measure", "Harbinger", "reference", "ratio", "target", "")
widths = [max(len(str(row[i])) for row in rows + [header]) for i in range(6)]
for row in [header] + rows:
    print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())
print(f"\nHarbinger accepted {r['ingest.harbinger_accepted']:,.0f} events in the ingest run "
      f"({r['ingest.harbinger_duplicates']:,.0f} duplicates); shell: {r['shell.harbinger_events']:,.0f} events in "
      f"{r['shell.harbinger_seconds']:.2f} s; HTTP: {r['http.harbinger_events']:,.0f} events in {r['http.harbinger_seconds']:.2f} s; "
      f"memory run: {r['memory.accepted']:,.0f} events at {r['memory.ingest_rate_10k_rules']:,.0f}/s with the 10k rules.")
sys.exit(1 if failed else 0)
PY
