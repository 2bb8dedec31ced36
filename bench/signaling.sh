#!/usr/bin/env bash
# Side-by-side signaling benchmark: Switchboard vs. a Node + ws baseline,
# same machine, same load generator (bench/ws_load.cpp), same run.
#   bench/signaling.sh [CONNS] [PAIRS] [MESSAGES] [ROUNDS=5]
# Both servers run side by side: first the idle-memory test on each, then
# ROUNDS relay runs alternating between them (so a slow spell of this shared
# box hits both), then the median of each.
# Needs: scripts/build.sh done (build/bench/ws_load, build/app/switchboard) and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
conns=${1:-1000}; pairs=${2:-50}; messages=${3:-2000}; rounds=${4:-5}
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

start() {  # name cmd... ; sets pid_<name>, port_<name>
  local name=$1; shift
  "$@" > "$tmp/$name.log" 2>&1 &
  local pid=$!
  local port; port=$(wait_port "$tmp/$name.log" 'ws://127.0.0.1:[0-9]*')
  echo "== $name (pid $pid, port $port)"
  $load idle --port "$port" --conns "$conns" --pid "$pid"
  printf -v "pid_${name//-/_}" '%s' "$pid"
  printf -v "port_${name//-/_}" '%s' "$port"
}

median() { sort -n | awk '{ v[NR]=$1 } END { print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2) }'; }

ulimit -n 65536 2>/dev/null || true
start switchboard build/app/switchboard --config "$tmp/sb.yaml"
start node_ws env PORT=0 node bench/node-baseline/server.js
for r in $(seq "$rounds"); do
  for name in switchboard node_ws; do
    pid_var="pid_$name"; port_var="port_$name"
    line=$($load relay --port "${!port_var}" --pairs "$pairs" --messages "$messages" --pid "${!pid_var}" | tail -1)
    echo "$name round $r: $line"
    echo "$line" | grep -o '[0-9]* msg/s' | cut -d' ' -f1 >> "$tmp/$name.rate"
    echo "$line" | grep -o '[0-9.]* us per message' | cut -d' ' -f1 >> "$tmp/$name.cpu"
  done
done
echo "median over $rounds rounds:"
for name in switchboard node_ws; do
  echo "  $name: $(median < "$tmp/$name.rate") msg/s, $(median < "$tmp/$name.cpu") us of server CPU per message"
done
