#!/usr/bin/env bash
# Signaling side by side: Switchboard, Bun (uWebSockets) and Node + ws, same
# machine, same load generator (bench/sig_load.cpp), same run.
#
#   bench/signaling.sh [ROUNDS=5]
#   SCENARIOS="relay rate fanout idle idle-tls setup-tls" bench/signaling.sh 5
#
# Each scenario runs ROUNDS times; each round starts every server afresh and
# runs them one after the other, in an order that rotates from round to round
# (this box's speed drifts by ~20% between minutes, so only same-run medians
# count). Node has no TLS in its baseline, so it sits out the wss scenarios.
#
#   relay      50 pairs, directed signals at saturation: delivered msg/s, server CPU per message
#   rate       10,000 msg/s over 1,000 connections: server CPU per message, latency p99
#   fanout     4 rooms of 16, each member broadcasting 20/s: CPU per delivery, latency p99
#   idle       10,000 idle WebSockets in rooms of 8: server RSS per connection
#   idle-tls   the same over wss
#   setup-tls  1,000 x (TLS handshake + upgrade + login + join): server CPU per connection
#
#   SWITCHBOARD_B=/path/to/other/switchboard bench/signaling.sh 5
#       adds a second Switchboard build ("before", e.g. an older commit) as a
#       contender in every round: before/after figures from one run.
#       Config keys it does not know are left out of its config: by default
#       the ones added since v1 (SWITCHBOARD_B_DROP="max_connections_per_ip
#       send_queue_bytes").
#   SERVERS="switchboard switchboard-b" limits the contenders.
#
# Needs scripts/build.sh done (build/app/switchboard, build/bench/sig_load),
# npm (the baselines are installed from their lockfiles) and openssl.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
scenarios=${SCENARIOS:-relay rate fanout idle idle-tls setup-tls}
load=build/bench/sig_load
[ -x "$load" ] && [ -x build/app/switchboard ] || { echo "run scripts/build.sh first" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

(cd bench/node-baseline && npm ci --no-audit --no-fund --silent)
(cd bench/bun-baseline && npm ci --no-audit --no-fund --silent --ignore-scripts)
bun=bench/bun-baseline/node_modules/@oven/bun-linux-x64/bin/bun
# An ECDSA P-256 certificate, what Let's Encrypt issues by default.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null

sb_config() {  # tls: yes|no
  cat <<YAML
log: {level: info}
signaling:
  listen: "127.0.0.1:0"
  static_dir: ""
$([ "$1" = yes ] && echo "  tls: {cert: $tmp/cert.pem, key: $tmp/key.pem}")
  # One load generator is one client address with one user per message
  # stream: the per-client limits would (rightly) throttle it.
  rate_limit: {messages_per_second: 1000000, burst: 1000000}
  max_connections_per_ip: 0
  send_queue_limit: 100000
  send_queue_bytes: 67108864
turn: {secret: "bench-secret-0123456789abcdef0123456789", listen_udp: ["127.0.0.1:0"], listen_tcp: ["127.0.0.1:0"]}
YAML
}
sb_config no > "$tmp/sb.yaml"
sb_config yes > "$tmp/sb-tls.yaml"
drop_b=${SWITCHBOARD_B_DROP:-max_connections_per_ip send_queue_bytes}
for f in sb sb-tls; do
  grep -v -E "^ *(${drop_b// /|}):" "$tmp/$f.yaml" > "$tmp/$f-b.yaml"
done

# start NAME TLS: runs the server, sets $pid and $port.
start() {
  local name=$1 tls=$2 log="$tmp/$1-$2.log"
  case $name in
    switchboard) build/app/switchboard --config "$tmp/sb$([ "$tls" = yes ] && echo -tls).yaml" > "$log" 2>&1 & ;;
    switchboard-b) "$SWITCHBOARD_B" --config "$tmp/sb$([ "$tls" = yes ] && echo -tls)-b.yaml" > "$log" 2>&1 & ;;
    bun) if [ "$tls" = yes ]; then TLS_CERT="$tmp/cert.pem" TLS_KEY="$tmp/key.pem" PORT=0 "$bun" bench/bun-baseline/server.js > "$log" 2>&1 &
         else PORT=0 "$bun" bench/bun-baseline/server.js > "$log" 2>&1 & fi ;;
    node) PORT=0 node bench/node-baseline/server.js > "$log" 2>&1 & ;;
  esac
  pid=$!
  port=""
  for _ in $(seq 200); do
    port=$(grep -o 'wss\?://127.0.0.1:[0-9]*' "$log" | head -1 | grep -o '[0-9]*$' || true)
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || { cat "$log"; echo "$name did not start" >&2; exit 1; }
  sleep 0.3
}
stop() { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; }

# run SCENARIO: the sig_load command line for it.
args() {
  case $1 in
    relay) echo "relay --pairs 50 --messages 4000" ;;
    rate) echo "rate --conns 1000 --rate 10000 --seconds 10" ;;
    fanout) echo "fanout --rooms 4 --members 16 --rate 20 --seconds 10" ;;
    idle) echo "idle --conns 10000" ;;
    idle-tls) echo "idle --conns 10000 --tls" ;;
    setup-tls) echo "setup --conns 1000 --tls" ;;
  esac
}
servers_for() {
  local all
  case $1 in *-tls) all="switchboard bun" ;; *) all="switchboard bun node" ;; esac
  [ -n "${SWITCHBOARD_B:-}" ] && all="$all switchboard-b"
  if [ -n "${SERVERS:-}" ]; then  # the requested ones this scenario can run
    local keep="" w
    for w in $all; do [[ " $SERVERS " == *" $w "* ]] && keep="$keep $w"; done
    all=$keep
  fi
  echo "$all"
}
tls_for() { case $1 in *-tls) echo yes ;; *) echo no ;; esac; }

# What each scenario reports, pulled from sig_load's output: name=regex.
record() {  # scenario server output
  local s=$1 who=$2 out=$3 v
  grab() { echo "$out" | grep -o "$1" | head -1 | grep -o '[0-9.]*' | head -1; }
  p99() { echo "$out" | grep -o 'p99 [0-9.]*' | head -1 | cut -d' ' -f2; }
  case $s in
    relay) echo "$(grab '[0-9]* msg/s')" >> "$tmp/$s.$who.rate"; echo "$(grab '[0-9.]* us per message')" >> "$tmp/$s.$who.cpu" ;;
    rate) echo "$(grab '[0-9.]* us per message')" >> "$tmp/$s.$who.cpu"; p99 >> "$tmp/$s.$who.p99" ;;
    fanout) echo "$(grab '[0-9.]* us per delivery')" >> "$tmp/$s.$who.cpu"; p99 >> "$tmp/$s.$who.p99" ;;
    idle|idle-tls) echo "$(grab '[0-9.]* KiB per connection')" >> "$tmp/$s.$who.kib" ;;
    setup-tls) echo "$(grab '[0-9.]* us per connection')" >> "$tmp/$s.$who.cpu" ;;
  esac
}

median() { sort -n | awk '{ v[NR]=$1 } END { print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2) }'; }
spread() { sort -n | awk 'NR==1{lo=$1} {hi=$1} END { printf "%s-%s", lo, hi }'; }

# This box's own timer jitter, before and after: no latency percentile
# measured here can be lower than how late its processes wake up.
jitter_before=$($load jitter --seconds 5)
for s in $scenarios; do
  read -r -a servers <<< "$(servers_for "$s")"
  for r in $(seq "$rounds"); do
    n=${#servers[@]}
    for i in $(seq 0 $((n - 1))); do
      who=${servers[$(((i + r) % n))]}
      start "$who" "$(tls_for "$s")"
      # shellcheck disable=SC2046
      out=$($load $(args "$s") --port "$port" --pid "$pid" 2>&1) || true
      stop
      echo "[$s round $r] $who: $(echo "$out" | tr '\n' ' ')"
      record "$s" "$who" "$out"
    done
  done
done

jitter_after=$($load jitter --seconds 5)
echo
echo "before: $jitter_before"
echo "after:  $jitter_after"
echo "## Medians of $rounds rounds (min-max)"
for s in $scenarios; do
  for f in "$tmp/$s".*; do
    [ -e "$f" ] || continue
    who=$(basename "$f" | cut -d. -f2); what=$(basename "$f" | cut -d. -f3)
    printf '%-10s %-12s %-5s median %-10s (%s)\n' "$s" "$who" "$what" "$(median < "$f")" "$(spread < "$f")"
  done
done
