#!/usr/bin/env bash
# Side-by-side signaling benchmark: Switchboard vs. a Node + ws baseline,
# same machine, same load generator (bench/ws_load.cpp), same run.
#   bench/signaling.sh [CONNS] [PAIRS] [MESSAGES]
# Needs: scripts/build.sh done (build/bench/ws_load, build/app/switchboard) and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
conns=${1:-1000}; pairs=${2:-50}; messages=${3:-2000}
load=build/bench/ws_load
tmp=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
(cd bench/node-baseline && npm ci --no-audit --no-fund --silent)

cat > "$tmp/sb.yaml" <<YAML
signaling:
  listen: "127.0.0.1:0"
  static_dir: ""
  # The limits would (rightly) throttle a single benchmark client.
  rate_limit: {messages_per_second: 1000000, burst: 1000000}
  send_queue_limit: 100000
log: {level: info}
turn: {secret: "bench-secret-0123456789abcdef0123456789"}
YAML

wait_port() {  # file regex
  for _ in $(seq 100); do
    p=$(grep -o "$2" "$1" | head -1 | grep -o '[0-9]*$' || true)
    [ -n "$p" ] && { echo "$p"; return; }
    sleep 0.05
  done
  echo "server did not start" >&2; exit 1
}

run() {  # name cmd...
  local name=$1; shift
  "$@" > "$tmp/$name.log" 2>&1 &
  local pid=$!
  local port; port=$(wait_port "$tmp/$name.log" 'ws://127.0.0.1:[0-9]*')
  echo "== $name (pid $pid, port $port)"
  $load idle --port "$port" --conns "$conns" --pid "$pid"
  $load relay --port "$port" --pairs "$pairs" --messages "$messages" --pid "$pid"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

ulimit -n 65536 2>/dev/null || true
run switchboard build/app/switchboard --config "$tmp/sb.yaml"
run node-ws env PORT=0 node bench/node-baseline/server.js
