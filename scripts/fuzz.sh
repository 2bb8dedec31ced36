#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/*.cpp) with clang, ASan and UBSan in
# build-fuzz/, and runs each for SECONDS (default 60) from its seed corpus in
# fuzz/corpus/<target> (plus what earlier runs found, in build-fuzz/corpus/).
# Any crash, leak, sanitizer report or timeout fails the run and leaves the
# input in build-fuzz/findings/<target>/; turn it into a regression test.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#   scripts/fuzz.sh 3600 turn_engine      # longer, one target
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(stun_message stream_framing turn_engine signaling_parser jwt tls13_records static_path config)

scripts/install-deps.sh --fuzz

CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSWITCHBOARD_FUZZ=ON -DSWITCHBOARD_BUILD_TESTS=OFF >/dev/null
cmake --build build-fuzz -j "${JOBS:-2}" --target "${targets[@]/#/fuzz_}"

export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$PWD/fuzz/ubsan.supp"
status=0
for t in "${targets[@]}"; do
  corpus=build-fuzz/corpus/$t
  findings=build-fuzz/findings/$t
  mkdir -p "$corpus" "$findings"
  seeds=()
  [ -d "fuzz/corpus/$t" ] && seeds=("fuzz/corpus/$t")
  # stdin closed: the config target may name /dev/stdin in a *_file key.
  if build-fuzz/fuzz/fuzz_"$t" "$corpus" "${seeds[@]}" -max_total_time="$seconds" -timeout=10 \
       -rss_limit_mb=2048 -max_len=4096 -artifact_prefix="$findings/" -print_final_stats=1 \
       < /dev/null > "build-fuzz/$t.log" 2>&1; then
    echo "fuzz $t: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "build-fuzz/$t.log" | grep -o '[0-9]*$') inputs in ${seconds} s, no findings"
  else
    echo "fuzz $t: FAILED (build-fuzz/$t.log, input in $findings/)" >&2
    tail -30 "build-fuzz/$t.log" >&2
    status=1
  fi
done
exit $status
