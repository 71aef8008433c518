#!/usr/bin/env bash
# The reference seed's first boot, without booting, compared in one run:
# cloud-init's four stages (as ../shared/bench/README.md measured them:
# `cloud-init init --local`, `cloud-init init`, `cloud-init modules
# --mode=config`, `cloud-init modules --mode=final`) against flamingo's
# `apply --boot`, each REPEAT times in a fresh copy of the same Debian
# bookworm image (bench/compare-setup.sh) with the seed in
# /var/lib/cloud/seed/nocloud, run inside `systemd-nspawn --private-network`
# (not booted; the tools see the image as their live root). The time is
# taken inside the container with bash's $EPOCHREALTIME around the
# commands, so container start-up is not counted for either. Prints a
# Markdown table; exit statuses are shown (a figure of a failed run
# measures nothing).
#
#   bench/seed-compare.sh [BUILD_DIR]   (default: build; needs root)
# Env: REPEAT=5, SEED=dir with meta-data and user-data, BENCH_FS=ext4 (the
# copies on a fresh journaled ext4 loop filesystem, as in boot-compare.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
default_repeat=5
# shellcheck source=bench/compare-setup.sh
source bench/compare-setup.sh

# run_once IMAGE COMMANDS -> "MILLISECONDS EXIT_STATUSES" (a fresh copy)
run_once() {
  local img=$1 cmds=$2 copy="$scratch/run"
  rm -rf "$copy"
  cp -a --reflink=auto "$img" "$copy"
  mkdir -p "$copy/var/lib/cloud/seed/nocloud"
  cp "$seed/meta-data" "$seed/user-data" "$copy/var/lib/cloud/seed/nocloud/"
  settle "$copy"
  systemd-nspawn -q --register=no --keep-unit --private-network \
    --timezone=off -D "$copy" \
    /bin/bash -c '
      rcs=""
      start=$EPOCHREALTIME
      while read -r cmd; do
        [ -n "$cmd" ] || continue
        $cmd >>/var/tmp/bench-out.log 2>&1
        rcs="$rcs$?,"
      done <<< "'"$cmds"'"
      end=$EPOCHREALTIME
      echo "$start $end ${rcs%,}" > /var/tmp/bench-time' \
    </dev/null >/dev/null 2>&1 || true
  if [[ ! -f "$copy/var/tmp/bench-time" ]]; then
    echo "NA none"
    return
  fi
  if [[ -n "${KEEP_LOG:-}" ]]; then cp "$copy/var/tmp/bench-out.log" "$KEEP_LOG"; fi
  awk '{ printf "%.1f %s\n", ($2 - $1) * 1000, $3 }' "$copy/var/tmp/bench-time"
}

ci_cmds='cloud-init init --local
cloud-init init
cloud-init modules --mode=config
cloud-init modules --mode=final'
fl_cmds='/usr/bin/flamingo apply --boot'

fl_ms=() fl_rc=() ci_ms=() ci_rc=()
for ((i = 1; i <= repeat; i++)); do
  read -r a b <<<"$(run_once "$fl_img" "$fl_cmds")"
  fl_ms+=("$a") fl_rc+=("$b")
  read -r a b <<<"$(run_once "$ci_img" "$ci_cmds")"
  ci_ms+=("$a") ci_rc+=("$b")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
fm=$(median "${fl_ms[@]}") cm=$(median "${ci_ms[@]}")
ratio=$(awk -v a="$cm" -v b="$fm" 'BEGIN {
  if (b > 0) printf "%.0f", a / b; else print "NA" }')

cat <<TABLE
| reference seed, first boot in a fresh image (nspawn, not booted) | flamingo \`apply --boot\` | cloud-init's four stages |
|---|---|---|
| wall, median of $repeat (all runs, ms) | $fm ms (${fl_ms[*]}) | $cm ms (${ci_ms[*]}) |
| exit statuses (per command, per run) | ${fl_rc[*]} | ${ci_rc[*]} |
| ratio cloud-init / flamingo | **$ratio x** | |
TABLE
