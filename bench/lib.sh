# Shared by bench/serve.sh and bench/floors.sh; sourced from the repository's root.
# Installs the tools a script names, makes its temp dir ($work, removed on exit) and starts and stops
# its servers by PID. Every server listens on a free 127.0.0.1 port.

install_missing() {  # install_missing COMMAND...: apt-get installs those not found (cc comes with gcc)
  local command missing=()
  for command in "$@"; do
    command -v "$command" >/dev/null && continue
    [[ $command == nginx && -x /usr/sbin/nginx ]] && continue
    [[ $command == cc ]] && command=gcc
    missing+=("$command")
  done
  ((${#missing[@]})) || return 0
  local sudo=""; [[ $(id -u) == 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

work=$(mktemp -d)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

started=""   # the PID of the last process `start` launched
start() {    # start LOG COMMAND...: runs COMMAND in the background, remembered for cleanup
  local log=$1; shift
  "$@" >"$log" 2>&1 &
  started=$!
  pids+=("$started")
}
stop() {     # stop PID: ends one process this script started (and forgets it: its PID may be reused)
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  local pid kept=()
  for pid in "${pids[@]}"; do [[ $pid == "$1" ]] || kept+=("$pid"); done
  pids=("${kept[@]}")
}
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_http() {  # wait_http URL: until it answers at all (any status), 60 s at most
  for _ in $(seq 600); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "$(basename "$0"): $1 never answered" >&2; exit 2
}

# nginx_config WORKERS PORT [PROXY-PORT]: nginx answering 204 on PORT, with access logs off and no limit on a
# connection's requests; with PROXY-PORT, also a keep-alive proxy to PORT there. Its files go in $work/nginx.
nginx_config() {
  mkdir -p "$work/nginx"
  local proxy=""
  [[ -n ${3:-} ]] && proxy="
  upstream backend { server 127.0.0.1:$2; keepalive 64; }
  server { listen 127.0.0.1:$3; location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection \"\"; } }"
  cat <<CONF
worker_processes $1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$2; location / { return 204; } }$proxy
}
CONF
}
nginx_bin() { command -v nginx || echo /usr/sbin/nginx; }
