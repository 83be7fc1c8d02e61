#!/usr/bin/env bash
# Floors for the shell and HTTP targets of bench/serve.sh: what programs that do much less than
# Harbinger reach on this machine, with the same wrk load (-t2 -c32, bench/post-event.lua).
#   - shell: adnanh/webhook running /bin/true per request (as in serve.sh), against
#     bench/floor/spawn-server.c, a C server that reads the request, posix_spawns /bin/true, waits
#     and answers: no parsing, no checks, no storage. Both rounds twice, alternating.
#   - HTTP: wrk -> nginx answering 204 with one worker (serve.sh's reference) and with two, each time also
#     through nginx as a keep-alive proxy in front of itself: a forwarder that stores nothing.
# Prints a line a run: its rate, the server's CPU and its children's CPU per request.
# Usage: bench/floors.sh    DURATION=8s each wrk run
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
duration=${DURATION:-8s}
payload=$root/Tests/RouterTests/Fixtures/distribution-captured/03-push-manifest.json
lua=$root/bench/post-event.lua
token="Bearer bench-token"

source bench/lib.sh
install_missing wrk webhook nginx curl python3 cc
nginx_bin=$(nginx_bin)

cpu() { awk '{ printf "%d %d\n", $14 + $15, $16 + $17 }' "/proc/$1/stat"; }  # ticks: own, reaped children's

run() {  # run NAME URL PID: wrk for $duration; prints the rate and PID's CPU per request
  local name=$1 url=$2 pid=$3 own0 children0 own1 children1 rate count out
  out="$work/wrk-$RANDOM.txt"
  read -r own0 children0 < <(cpu "$pid")
  wrk -t2 -c32 -d"$duration" -s "$lua" "$url" -- "$payload" "$token" "floor-$RANDOM" >"$out"
  read -r own1 children1 < <(cpu "$pid")
  if grep -q Non-2xx "$out"; then echo "floors.sh: $name answered errors" >&2; exit 2; fi
  rate=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
  count=$(awk '/requests in/ { print $1 }' "$out")
  awk -v name="$name" -v rate="$rate" -v n="$count" -v own=$((own1 - own0)) -v kids=$((children1 - children0)) \
    -v hz="$(getconf CLK_TCK)" 'BEGIN {
      printf "%-31s %9.0f req/s   server %.3f ms/req   children %.3f ms/req\n", name, rate, own * 1000 / hz / n, kids * 1000 / hz / n }'
}

echo "floors.sh: $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); wrk -t2 -c32 -d$duration" >&2
cc -O2 -o "$work/spawn-server" bench/floor/spawn-server.c -lpthread

# --- shell ----------------------------------------------------------------------------------------
cat >"$work/hooks.json" <<EOF
[ { "id": "shell", "execute-command": "/bin/true", "include-command-output-in-response": true,
    "trigger-rule": { "and": [
      { "match": { "type": "value", "value": "$token", "parameter": { "source": "header", "name": "Authorization" } } },
      { "match": { "type": "value", "value": "team/app", "parameter": { "source": "payload", "name": "events.0.target.repository" } } } ] } } ]
EOF
for round in 1 2; do
  port=$(free_port); start "$work/webhook.log" webhook -hooks "$work/hooks.json" -ip 127.0.0.1 -port "$port"
  wait_http "http://127.0.0.1:$port/"
  run "webhook, /bin/true" "http://127.0.0.1:$port/hooks/shell" "$started"; stop "$started"
  port=$(free_port); start "$work/floor.log" "$work/spawn-server" "$port" 1
  wait_http "http://127.0.0.1:$port/"
  run "C floor, /bin/true" "http://127.0.0.1:$port/hooks/shell" "$started"; stop "$started"
done
port=$(free_port); start "$work/floor0.log" "$work/spawn-server" "$port" 0
wait_http "http://127.0.0.1:$port/"
run "C floor, no spawn" "http://127.0.0.1:$port/hooks/shell" "$started"; stop "$started"

# --- HTTP -----------------------------------------------------------------------------------------
for workers in 1 2; do
  backend=$(free_port) proxy=$(free_port)
  nginx_config "$workers" "$backend" "$proxy" >"$work/nginx.conf"
  start "$work/nginx.log" "$nginx_bin" -c "$work/nginx.conf" -p "$work/nginx" -g "daemon off;"
  wait_http "http://127.0.0.1:$backend/"
  run "wrk->nginx, $workers worker(s)" "http://127.0.0.1:$backend/deploy" "$started"
  run "wrk->nginx->nginx, $workers worker(s)" "http://127.0.0.1:$proxy/deploy" "$started"
  stop "$started"
done
echo "(nginx's CPU columns are empty: its workers are not reaped while it runs)" >&2
