#!/usr/bin/env bash
# Side-by-side TURN benchmark: Switchboard vs. coturn's turnserver, same
# machine, same client (coturn's turnutils_uclient), same run, loopback only.
#   bench/turn.sh [CLIENTS=50] [MESSAGES=1000] [LENGTH=170] [ROUNDS=3]
# For each mode (UDP channels, UDP Send indications, TCP channels), ROUNDS
# rounds, each starting Switchboard then coturn afresh (alternating, so a
# slow spell of this shared box hits both): round trips relayed, loss, the
# server's CPU seconds (from /proc/PID/stat) and CPU per 1,000 round trips,
# then the median per server. Then allocation capacity with
# build/bench/turn_alloc (64 clients, each looping new socket, Allocate,
# Refresh 0, as fast as answered, for 5 s), and RSS at the end.
# uclient paces its sends, so wall time measures the client, not the
# server: CPU per round trip is the comparable figure.
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-50}; messages=${2:-1000}; length=${3:-170}; rounds=${4:-3}
command -v turnserver >/dev/null || { echo "needs coturn (apt-get install coturn)"; exit 1; }
tmp=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
secret=bench-turn-secret-0123456789abcdef0123456789
peer_port=36790; sb_port=36478; co_port=37478

cat > "$tmp/sb.yaml" <<YAML
signaling: {listen: "127.0.0.1:0", static_dir: ""}
log: {level: warn}
threads: 2
turn:
  secret: "$secret"
  credential_ttl: 24h           # turnutils_uclient -W mints usernames a day ahead
  unauthenticated_replies: {per_second: 0}  # one client address asks for every allocation
  listen_udp: ["127.0.0.1:$sb_port"]
  listen_tcp: ["127.0.0.1:$sb_port"]
  allow_peers: ["127.0.0.1/32"]
  require_active_session: false
  max_allocations_per_user: 100000
  # Outside the kernel's ephemeral range (32768-60999), which the client's
  # own sockets use on this shared loopback.
  relay_ports: "20000-29999"
YAML

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
tck=$(getconf CLK_TCK)

turnutils_peer -p $peer_port -L 127.0.0.1 > "$tmp/peer.log" 2>&1 &

run_server() {  # name
  if [ "$1" = switchboard ]; then
    build/app/switchboard --config "$tmp/sb.yaml" > "$tmp/sb.log" 2>&1 &
    port=$sb_port
  else
    turnserver -n --listening-ip 127.0.0.1 --listening-port $co_port --relay-ip 127.0.0.1 \
      --use-auth-secret --static-auth-secret "$secret" --realm switchboard --allow-loopback-peers \
      --no-tls --no-dtls --min-port 10000 --max-port 19999 --no-cli --relay-threads 2 \
      --user-quota 0 --total-quota 0 --log-file stdout --simple-log > "$tmp/coturn.log" 2>&1 &
    port=$co_port
  fi
  pid=$!
  sleep 1
}

measure() {  # name label uclient-flags... ; appends ms per 1000 to $tmp/<name>-<label>
  local name=$1 label=$2; shift 2
  local c0; c0=$(cpu "$pid")
  local out; out=$(timeout 300 turnutils_uclient "$@" -e 127.0.0.1 -r $peer_port -p "$port" \
      -W "$secret" -u bench -m "$clients" -n "$messages" -l "$length" 127.0.0.1 2>&1 || true)
  local c1; c1=$(cpu "$pid")
  local trips; trips=$(echo "$out" | grep -o 'tot_recv_msgs=[0-9]*' | tail -1 | cut -d= -f2 || true)
  local lost; lost=$(echo "$out" | grep -o 'Total lost packets [0-9]* ([0-9.]*%)' | tail -1 || true)
  awk -v n="$name" -v l="$label" -v t="${trips:-0}" -v c0="$c0" -v c1="$c1" -v k="$tck" -v lost="$lost" \
    'BEGIN { s=(c1-c0)/k; printf "%-12s %-22s %8d round trips  %-32s CPU %6.2f s  %6.1f ms per 1000\n", n, l, t, lost, s, (t>0 ? s*1e6/t : 0) }' \
    | tee -a "$tmp/runs"
  awk -v t="${trips:-0}" -v c0="$c0" -v c1="$c1" -v k="$tck" \
    'BEGIN { printf "%.1f\n", (t>0 ? (c1-c0)/k*1e6/t : 0) }' >> "$tmp/$name-${label// /_}"
}

median() { sort -n "$1" | awk '{ v[NR]=$1 } END { print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2) }'; }

modes=("udp channels|" "udp send indications|-s" "tcp channels|-t")
for m in "${modes[@]}"; do
  label=${m%%|*}; flags=${m#*|}
  for r in $(seq "$rounds"); do
    for name in switchboard coturn; do
      run_server $name
      # shellcheck disable=SC2086
      measure $name "$label" $flags
      kill "$pid"; wait "$pid" 2>/dev/null || true
    done
  done
done
echo "median CPU per 1000 round trips over $rounds rounds:"
for m in "${modes[@]}"; do
  label=${m%%|*}
  printf '  %-22s switchboard %6.1f ms   coturn %6.1f ms\n' "$label" \
    "$(median "$tmp/switchboard-${label// /_}")" "$(median "$tmp/coturn-${label// /_}")"
done

for name in switchboard coturn; do
  run_server $name
  echo "$name allocation capacity: $(build/bench/turn_alloc --port "$port" --secret "$secret" --clients 64 --seconds 5 --pid "$pid" | tr '\n' ' ')"
  echo "$name RSS after the allocation run: $(rss "$pid") KiB"
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
