#!/usr/bin/env bash
# Install, build, and run the server on the built-in development defaults:
# ws://127.0.0.1:8080/ws, auth mode none, test page at http://127.0.0.1:8080/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh --target switchboard
exec build/app/switchboard "$@"
