#!/usr/bin/env bash
# Install, build, and run every test (unit and integration).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
scripts/build.sh
cd build
ctest --output-on-failure -j "${JOBS:-2}" --timeout 300
