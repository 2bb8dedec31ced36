#!/usr/bin/env bash
# Installs what Switchboard needs from Debian 12 packages. Idempotent: does
# nothing when everything is already present.
#   scripts/install-deps.sh          build and run
#   scripts/install-deps.sh --test   also what the test suite needs
#   scripts/install-deps.sh --fuzz   also clang with libFuzzer (scripts/fuzz.sh)
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libssl-dev rapidjson-dev libyaml-cpp-dev
  libsystemd-dev   # sd_notify: Type=notify, reload/stop notices, the watchdog
  file             # cpack -G DEB: its shlibdeps step finds the binaries with it
)
test_packages=(
  libgtest-dev libgmock-dev
  openssl     # tests make throwaway certificates with the openssl command
  procps      # pkill/pgrep in test scripts
  clang-format  # the `format` test: every file as .clang-format says
  coturn      # turnutils_uclient/_peer/_stunclient: interop tests against a real TURN client
  # tests/e2e (browser tests): headless Chromium, certutil to trust the test
  # certificate, node/npm for playwright-core, ip netns, a font for screenshots
  chromium libnss3-tools iproute2 fonts-dejavu-core
)
if [ "${1:-}" = "--test" ]; then
  packages+=("${test_packages[@]}")
  # Node and npm may come from Debian (nodejs + npm) or from another apt
  # source whose nodejs package bundles npm (and conflicts with Debian's
  # npm): ask for the packages only when the commands are missing.
  command -v node >/dev/null 2>&1 || packages+=(nodejs)
  command -v npm >/dev/null 2>&1 || packages+=(npm)
fi
if [ "${1:-}" = "--fuzz" ]; then
  packages+=(clang)  # clang 14, with libFuzzer and the sanitizers' runtimes (libclang-common-14-dev)
fi
# The unit tests are built by default, so GoogleTest is needed for any build.
packages+=(libgtest-dev libgmock-dev)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"

# We only want coturn's client tools: its own server would take port 3478.
if [[ " ${missing[*]} " == *" coturn "* ]] && command -v systemctl >/dev/null 2>&1 \
   && systemctl is-enabled coturn >/dev/null 2>&1; then
  $sudo systemctl disable --now coturn >/dev/null 2>&1 || true
fi
