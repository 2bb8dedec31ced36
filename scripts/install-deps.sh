#!/usr/bin/env bash
# Installs everything Switchboard needs to build and test, from Debian 12
# packages. Idempotent: does nothing when all packages are already present.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libssl-dev rapidjson-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev
  openssl     # tests make throwaway certificates with the openssl command
  procps      # pkill/pgrep in test scripts
)

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
