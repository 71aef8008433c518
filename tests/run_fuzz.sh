#!/bin/bash
# Fuzzes the cloud-config front door (schemas/cloud_config_fuzz.cc) for a
# bounded time and fails on any crash, sanitizer report, leak or timeout.
#
#   tests/run_fuzz.sh              # FUZZ_SECONDS (default 60)
#   FUZZ_SECONDS=600 tests/run_fuzz.sh
#
# Configures and builds build-fuzz (clang, -DFLAMINGO_FUZZ=ON: ASan, UBSan,
# libFuzzer), seeds a temporary corpus from the shared corpus files and runs
# the target. A crashing input is kept in build-fuzz/artifacts/; reproduce it
# with: build-fuzz/cloud_config_fuzz build-fuzz/artifacts/crash-...
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$src/build-fuzz}
shared=${FLAMINGO_SHARED_DIR:-$src/../shared}
seconds=${FUZZ_SECONDS:-60}

CC=clang CXX=clang++ cmake -S "$src" -B "$build" -G Ninja \
  -DFLAMINGO_FUZZ=ON -DFLAMINGO_TESTS=OFF -DFLAMINGO_WERROR=OFF >/dev/null
ninja -C "$build" -j2 cloud_config_fuzz

corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
n=0
if [ -d "$shared/corpus" ]; then
  while IFS= read -r -d '' f; do
    cp "$f" "$corpus/seed-$n"
    n=$((n + 1))
  done < <(find "$shared/corpus" -type f -size -64k -print0)
fi
echo "run_fuzz: $n seed files, $seconds seconds"

mkdir -p "$build/artifacts"
# FUZZ_SEED makes the run repeatable (CI sets it, so that a landing is not
# decided by chance); without it libFuzzer picks a new seed every run.
seed_args=()
if [ -n "${FUZZ_SEED:-}" ]; then seed_args=(-seed="$FUZZ_SEED"); fi
# -rss_limit_mb: the loader caps alias expansion well below this.
"$build/cloud_config_fuzz" \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -dict="$src/tests/fuzz/cloud_config.dict" \
  -artifact_prefix="$build/artifacts/" -print_final_stats=1 "${seed_args[@]}" \
  "$corpus"
