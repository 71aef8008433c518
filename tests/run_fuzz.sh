#!/bin/bash
# Fuzzes the cloud-config front door and compilers
# (schemas/cloud_config_fuzz.cc), the HTTP response parser
# (sources/http_response_fuzz.cc), the state file's parser and writer
# (state/state_fuzz.cc) and the parsers of the managed system's own files
# (resources/system_files_fuzz.cc: account files, login.defs, sshd_config,
# unit files, /etc/hosts) for a bounded time and fails on any crash,
# sanitizer report, leak or timeout.
#
#   tests/run_fuzz.sh              # FUZZ_SECONDS in all (default 60)
#   FUZZ_SECONDS=600 tests/run_fuzz.sh
#
# The budget is split, not added to: a fifth for http_response_fuzz, a sixth
# for system_files_fuzz, a tenth for state_fuzz, the rest (about half) for
# cloud_config_fuzz.
#
# Configures and builds build-fuzz (clang, -DFLAMINGO_FUZZ=ON: ASan, UBSan,
# libFuzzer), seeds a temporary corpus from the shared corpus files and runs
# the targets. A crashing input is kept in build-fuzz/artifacts/; reproduce it
# with: build-fuzz/<target> build-fuzz/artifacts/crash-...
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$src/build-fuzz}
shared=${FLAMINGO_SHARED_DIR:-$src/../shared}
seconds=${FUZZ_SECONDS:-60}

CC=clang CXX=clang++ cmake -S "$src" -B "$build" -G Ninja \
  -DFLAMINGO_FUZZ=ON -DFLAMINGO_TESTS=OFF -DFLAMINGO_WERROR=OFF >/dev/null
ninja -C "$build" -j2 cloud_config_fuzz http_response_fuzz state_fuzz \
  system_files_fuzz
http_seconds=$((seconds / 5))
if [ "$http_seconds" -lt 1 ]; then http_seconds=1; fi
state_seconds=$((seconds / 10))
if [ "$state_seconds" -lt 1 ]; then state_seconds=1; fi
system_seconds=$((seconds / 6))
if [ "$system_seconds" -lt 1 ]; then system_seconds=1; fi
config_seconds=$((seconds - http_seconds - state_seconds - system_seconds))
if [ "$config_seconds" -lt 1 ]; then config_seconds=1; fi

corpus=$(mktemp -d)
http_corpus=$(mktemp -d)
state_corpus=$(mktemp -d)
system_corpus=$(mktemp -d)
trap 'rm -rf "$corpus" "$http_corpus" "$state_corpus" "$system_corpus"' EXIT
n=0
if [ -d "$shared/corpus" ]; then
  while IFS= read -r -d '' f; do
    cp "$f" "$corpus/seed-$n"
    n=$((n + 1))
  done < <(find "$shared/corpus" -type f -size -64k -print0)
fi
echo "run_fuzz: $n seed files," \
  "$config_seconds + $http_seconds + $state_seconds + $system_seconds seconds"

mkdir -p "$build/artifacts"
# FUZZ_SEED makes the run repeatable (CI sets it, so that a landing is not
# decided by chance); without it libFuzzer picks a new seed every run.
seed_args=()
if [ -n "${FUZZ_SEED:-}" ]; then seed_args=(-seed="$FUZZ_SEED"); fi
# -rss_limit_mb: the loader caps alias expansion well below this.
"$build/cloud_config_fuzz" \
  -max_total_time="$config_seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -dict="$src/tests/fuzz/cloud_config.dict" \
  -artifact_prefix="$build/artifacts/" -print_final_stats=1 "${seed_args[@]}" \
  "$corpus"

# HTTP responses: seeds for each framing; the first byte of an input picks
# how the rest is split into reads (and HEAD, and the size limit).
printf '\001HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello' \
  >"$http_corpus/length"
printf '\003HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nT: 1\r\n\r\n' \
  >"$http_corpus/chunked"
printf '\002HTTP/1.0 404 Not Found\nServer: x\n  folded\n\nuntil close' \
  >"$http_corpus/close"
printf '\005HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n' \
  >"$http_corpus/interim"
"$build/http_response_fuzz" \
  -max_total_time="$http_seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=8192 -dict="$src/tests/fuzz/http_response.dict" \
  -artifact_prefix="$build/artifacts/" -print_final_stats=1 "${seed_args[@]}" \
  "$http_corpus"

# State files: the documented example and a boot overlay as seeds.
cp "$src/tests/fuzz/state-example.json" "$state_corpus/example"
"$build/state_fuzz" \
  -max_total_time="$state_seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=16384 -artifact_prefix="$build/artifacts/" -print_final_stats=1 \
  "${seed_args[@]}" "$state_corpus"

# The system's files: one input holds all of them, split at NUL bytes.
cp "$src/tests/fuzz/system-files.seed" "$system_corpus/seed"
"$build/system_files_fuzz" \
  -max_total_time="$system_seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=16384 -artifact_prefix="$build/artifacts/" -print_final_stats=1 \
  "${seed_args[@]}" "$system_corpus"
