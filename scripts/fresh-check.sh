#!/usr/bin/env bash
# Proves, on brand-new Debian 12 roots, what a new user and an operator meet
# first: nothing is installed there but what the project's own scripts (and
# the package's declared dependencies) install, so a package left on this
# machine cannot make a run pass.
#
#   scripts/fresh-check.sh            every step (what .ci/run runs)
#   scripts/fresh-check.sh --no-suite steps 1, 2 and 4 (a few minutes)
#
# 1. root A, clean clone of HEAD: ./scripts/dev.sh installs, builds, and runs
#    the server on the development defaults; GET /healthz answers 200.
# 2. root A: `cpack -G DEB` in build/ makes switchboard_<version>_amd64.deb.
# 3. root B, nothing but Debian's repositories: `apt-get install ./<the .deb>`
#    (scripts/deb/check-installed.sh checks the result: user, secrets,
#    conffile, check-config naming every placeholder, the unit's ExecStart
#    serving /healthz on a filled-in config, systemd-analyze verify, purge).
# 4. root A: ./scripts/test.sh, the README's test command: the whole suite,
#    browser tests included (E2E_REQUIRED=1: they cannot skip).
#
# Needs root (chroot, mounts, network namespaces). The Debian base is made
# once with mmdebstrap and cached in /var/cache/switchboard-fresh; downloaded
# .debs are cached there too (a download cache only: each root still installs
# exactly what it asks for). Servers run in private network namespaces, so the
# fixed development ports never meet this machine's. Every root is removed at
# the end; KEEP=1 keeps them (paths printed).
set -euo pipefail
cd "$(dirname "$0")/.."
run_suite=1
[ "${1:-}" = "--no-suite" ] && run_suite=0
[ "$(id -u)" = 0 ] || { echo "fresh-check: run as root" >&2; exit 2; }

t0=$SECONDS
step() { echo "== fresh-check [$((SECONDS - t0)) s]: $*" >&2; }
die() { echo "fresh-check: FAILED: $*" >&2; exit 1; }

host_tools=()
command -v mmdebstrap >/dev/null || host_tools+=(mmdebstrap)
command -v ip >/dev/null || host_tools+=(iproute2)
if [ ${#host_tools[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${host_tools[@]}" >/dev/null
fi

cache=/var/cache/switchboard-fresh
base=$cache/bookworm-minbase.tar
mkdir -p "$cache/archives/partial"
if [ ! -s "$base" ]; then
  step "making the Debian 12 minbase root (once)"
  rm -f "$cache/new.tar"
  mmdebstrap --quiet --variant=minbase --include=ca-certificates,git bookworm "$cache/new.tar"
  mv "$cache/new.tar" "$base"
fi

roots=()
cleanup() {
  for r in "${roots[@]}"; do
    if [ "${KEEP:-0}" = 1 ]; then echo "fresh-check: root kept at $r" >&2; else rm -rf --one-file-system "$r"; fi
  done
}
trap cleanup EXIT

# A new root from the cached base, with this machine's DNS and CA trust (the
# registries are reached through a TLS proxy whose CA this machine trusts:
# any machine on this network has it; nothing of the project comes with it).
new_root() {
  local r
  r=$(mktemp -d /tmp/sb-fresh.XXXXXX)
  roots+=("$r")
  tar -C "$r" -xf "$base"
  cp /etc/resolv.conf "$r/etc/resolv.conf" 2>/dev/null || true
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    mkdir -p "$r/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$r/usr/local/share/ca-certificates/"
    chroot "$r" update-ca-certificates >/dev/null 2>&1 || cp /etc/ssl/certs/ca-certificates.crt "$r/etc/ssl/certs/"
  fi
  # Keep downloaded .debs (apt deletes them after installing unless told not to).
  echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' > "$r/etc/apt/apt.conf.d/99keep-downloads"
  ROOT=$r
}

# in_root ROOT [--netns] COMMAND: runs COMMAND with bash in ROOT, in /src if
# it exists, with a clean environment. --netns: in a private network
# namespace with only loopback up (no registry reachable from there).
in_root() {
  local r=$1 netns=0
  shift
  if [ "$1" = --netns ]; then netns=1; shift; fi
  local trust=()
  for v in NODE_EXTRA_CA_CERTS SSL_CERT_FILE SSL_CERT_DIR CURL_CA_BUNDLE GIT_SSL_CAINFO; do
    [ -n "${!v:-}" ] && [ -e "$r${!v}" ] && trust+=("$v=${!v}")
  done
  local wrap=(unshare --mount --propagation private)
  [ $netns = 1 ] && wrap+=(--net)
  "${wrap[@]}" -- bash -c '
    set -e; r=$1; netns=$2; cache=$3; cmd=$4; shift 4
    [ "$netns" = 1 ] && ip link set lo up
    mount --bind "$r" "$r"   # "/" inside must be a mount point (ip netns remounts it)
    mount -t proc proc "$r/proc"; mount -t sysfs sys "$r/sys"
    mount --rbind /dev "$r/dev"; mount -t tmpfs -o mode=1777 shm "$r/dev/shm"
    mount -t tmpfs -o mode=1777 tmp "$r/tmp"; mount -t tmpfs run "$r/run"
    mount --bind "$cache/archives" "$r/var/cache/apt/archives"
    exec chroot "$r" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 CI="${CI:-}" "$@" \
      PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      /bin/bash -c "if [ -d /src ]; then cd /src; fi; $cmd"
  ' _ "$r" "$netns" "$cache" "$*" "${trust[@]}"
}

new_root; a=$ROOT
git clone -q "$PWD" "$a/src"
step "root A ($a): clean clone of $(git rev-parse --short HEAD)"

step "1. ./scripts/dev.sh: install (with the network) ..."
in_root "$a" ./scripts/install-deps.sh
step "1. ./scripts/dev.sh: ... build and run (private network), then GET /healthz"
in_root "$a" --netns '
  ./scripts/dev.sh > /tmp/dev.log 2>&1 & pid=$!
  for _ in $(seq 1800); do
    grep -q "test page: http://127.0.0.1:8080/" /tmp/dev.log && break
    kill -0 $pid 2>/dev/null || { cat /tmp/dev.log; echo "dev.sh exited"; exit 1; }
    sleep 0.5
  done
  grep -q "test page: http://127.0.0.1:8080/" /tmp/dev.log || { tail -20 /tmp/dev.log; echo "no test page URL"; exit 1; }
  exec 3<>/dev/tcp/127.0.0.1/8080
  printf "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n" >&3
  status=$(head -n 1 <&3 | tr -d "\r")
  echo "GET /healthz: $status"
  kill -TERM $pid; wait $pid || true
  [ "$status" = "HTTP/1.1 200 OK" ]
' || die "step 1: ./scripts/dev.sh did not serve /healthz"

step "2. cpack -G DEB"
in_root "$a" 'cd build && cpack -G DEB >/dev/null && dpkg-deb --info switchboard_*_amd64.deb && dpkg-deb --contents switchboard_*_amd64.deb' \
  || die "step 2: cpack"
deb=$(ls "$a"/src/build/switchboard_*_amd64.deb)
cp "$deb" "$cache/"
deb_name=$(basename "$deb")

new_root; b=$ROOT
step "3. root B ($b): apt-get install ./$deb_name, with Debian's repositories only"
cp "$cache/$deb_name" scripts/deb/check-installed.sh "$b/root/"
in_root "$b" "cd /root && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ./$deb_name" \
  || die "step 3: apt-get install ./$deb_name"
in_root "$b" 'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssl systemd man-db >/dev/null' \
  || die "step 3: the tools the check uses (openssl, systemd, man-db)"
in_root "$b" --netns "bash /root/check-installed.sh /root/$deb_name" || die "step 3: the installed package"

if [ $run_suite = 1 ]; then
  step "4. ./scripts/test.sh in root A (the whole suite, browser tests required)"
  in_root "$a" 'E2E_REQUIRED=1 ./scripts/test.sh' || die "step 4: ./scripts/test.sh"
fi
step "passed"
