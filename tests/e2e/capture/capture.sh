#!/usr/bin/env bash
# Captures Chromium's TURN client talking to switchboard and rewrites the
# tests/data/stun/chromium_*.hex fixtures from the capture (see README.md).
#
#   tests/e2e/capture/capture.sh [path/to/switchboard]
#
# Needs what tests/e2e/run.sh needs (root for the network namespace,
# /usr/bin/chromium, node). The raw capture stays in
# artifacts/e2e/stun-capture/ (capture.txt, meta.json).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
binary="${1:-$repo/build/app/switchboard}"
out="$repo/artifacts/e2e/stun-capture"

rm -rf "$out"
SB_CAPTURE_OUT="$out" "$repo/tests/e2e/run.sh" "$binary" "$here/capture.mjs"
node "$here/write_fixtures.mjs" "$out" "$repo/tests/data/stun"
echo "capture: fixtures rewritten. They carry new credentials, nonces and addresses:"
echo "capture: update the constants in tests/unit/turn/stun/chromium_fixtures_test.cpp from their headers."
