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
  printf '%s\n' "$floor_script" >"$copy/var/tmp/seed-floor.sh"
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
# The floor: the reference seed's bootcmd and runcmd commands alone, run by
# one /bin/sh in the same image and timed the same way. Every tool that
# carries out the seed starts at least these processes (sh, date, sh,
# hostname, touch), so no tool's first boot is faster than this row; the
# ratio it allows against cloud-init is the best any tool can show.
floor_script=$(
  cat <<'SCRIPT'
sh -c 'echo bootcmd $(date +%s) >> /var/tmp/bootcmd.log'
sh -c 'echo runcmd-1 $(hostname) > /var/tmp/runcmd-1.txt'
touch /var/tmp/runcmd-2.done
SCRIPT
)
floor_cmds='/bin/sh /var/tmp/seed-floor.sh'

fl_ms=() fl_rc=() ci_ms=() ci_rc=() floor_ms=() floor_rc=()
for ((i = 1; i <= repeat; i++)); do
  read -r a b <<<"$(run_once "$fl_img" "$fl_cmds")"
  fl_ms+=("$a") fl_rc+=("$b")
  read -r a b <<<"$(run_once "$fl_img" "$floor_cmds")"
  floor_ms+=("$a") floor_rc+=("$b")
  read -r a b <<<"$(run_once "$ci_img" "$ci_cmds")"
  ci_ms+=("$a") ci_rc+=("$b")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
fm=$(median "${fl_ms[@]}") cm=$(median "${ci_ms[@]}")
floor=$(median "${floor_ms[@]}")
ratio_of() { awk -v a="$1" -v b="$2" 'BEGIN {
  if (b > 0) printf "%.0f", a / b; else print "NA" }'; }
ratio=$(ratio_of "$cm" "$fm")
floor_ratio=$(ratio_of "$cm" "$floor")

cat <<TABLE
| reference seed, first boot in a fresh image (nspawn, not booted) | flamingo \`apply --boot\` | cloud-init's four stages |
|---|---|---|
| wall, median of $repeat (all runs, ms) | $fm ms (${fl_ms[*]}) | $cm ms (${ci_ms[*]}) |
| exit statuses (per command, per run) | ${fl_rc[*]} | ${ci_rc[*]} |
| ratio cloud-init / flamingo | **$ratio x** | |

| the seed's bootcmd and runcmd commands alone (\`/bin/sh\` running them, same image, same timing) | median of $repeat (all runs, ms) | exit statuses | ratio cloud-init / floor: the most any tool can show |
|---|---|---|---|
| floor | $floor ms (${floor_ms[*]}) | ${floor_rc[*]} | $floor_ratio x |
TABLE
