#!/usr/bin/env bash
# Runs every test: installs dependencies, builds, runs the whole suite
# with ctest (unit, property, blackbox, corpus, fuzz and booted-image tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
cd build
ctest -j"${JOBS:-$(nproc)}" --output-on-failure --timeout 900 "$@"
