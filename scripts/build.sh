#!/usr/bin/env bash
# Configures and builds into build/ (Ninja, ccache when present).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" >/dev/null
# Beast translation units need ~1.3 GB each; two at a time fit any 2-core box.
cmake --build build -j "${JOBS:-2}" "$@"
