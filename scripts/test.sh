#!/usr/bin/env bash
# Install, build, and run every test (unit, integration, browser).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
start=$SECONDS
scripts/build.sh
echo "build: $((SECONDS - start)) s"
cd build
# ctest prints its own total time; its summary stays the last line.
ctest --output-on-failure -j "${JOBS:-2}" --timeout 600
