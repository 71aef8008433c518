#!/usr/bin/env bash
# Benchmarks flamingo (not a timed test): wall time and peak RSS of plan and
# apply on the reference seed and on generated configs of 10..10,000 files,
# first run and second run, plus the reboot fast path. Prints a Markdown
# table; docs/performance.md records the figures.
#
#   bench/run.sh [BUILD_DIR]      (default: build)
# Env: BENCH_FS=ext4 (see below), SIZES="10 100 1000 10000",
# USER_SIZES="1000" (users, each with a key, a sudo rule and a group; "" to
# skip), REPEAT=5 (median of REPEAT runs).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-build}/flamingo")
shared=${SHARED:-$(realpath ../shared)}
sizes=${SIZES:-"10 100 1000 10000"}
user_sizes=${USER_SIZES-"1000"}
repeat=${REPEAT:-5}
top=$(mktemp -d /var/tmp/flamingo-bench.XXXXXX)
# shellcheck source=bench/lib.sh
source bench/lib.sh
scratch_fs "$top" 4G  # BENCH_FS=ext4: see bench/lib.sh
work=$scratch

gen_users() {  # gen_users N > user-data
  echo "#cloud-config"
  echo "groups: [bench-ops]"
  echo "users:"
  for ((i = 0; i < $1; i++)); do
    printf '  - name: bench%d\n    gecos: Bench User %d\n    shell: /bin/sh\n    groups: [bench-ops]\n    sudo: ALL=(ALL) NOPASSWD:ALL\n    ssh_authorized_keys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGnFzWcF0RU6vXEHy3xv2b8qQZk6qPq1H7Vz5Yg2V0sB bench%d"]\n' "$i" "$i" "$i"
  done
}

# measure LABEL CMD... : median wall and CPU (user+system) over $repeat runs,
# the wall above an empty process's (spawning /bin/true the same way), and
# the peak RSS. With FRESH=1 each run gets a fresh copy of the root. With
# REBOOT=1 each run gets a fresh copy of the converged root as a reboot
# finds it: the disk at rest (written back), /run an empty tmpfs but for
# /run/flamingo (the units' RuntimeDirectory), and a boot id that no earlier
# run had. A run that fails (exit status not 0) is counted and shown: a
# figure of a failed run measures nothing.
measure() {
  local label=$1; shift
  local reset=()
  if [ "${FRESH:-0}" = 1 ]; then
    reset=(--reset "rm -rf '$work/run' && cp -a '$work/root' '$work/run'")
  elif [ "${REBOOT:-0}" = 1 ]; then
    reset=(--reset "$(reboot_reset "$work/conv" "$work/run")")
  fi
  local out wall cpu rss fails
  out=$("$runstat" --repeat "$repeat" "${reset[@]}" -- "$@")
  read -r wall cpu rss fails <<<"$out"
  local note=""
  [ "$fails" = 0 ] || note=" **($fails of $repeat runs FAILED)**"
  printf '| %s%s | %s | %s | %s | %.1f MB |\n' "$label" "$note" "$(ms "$wall")" \
    "$(ms $((wall > spawn ? wall - spawn : 0)))" "$(ms "$cpu")" "$(awk "BEGIN{print $rss/1024}")"
}
ms() {  # microseconds -> "12.3 ms" / "1.23 s"
  awk -v u="$1" 'BEGIN{ if (u >= 1000000) printf "%.2f s", u/1e6; else if (u >= 10000) printf "%.1f ms", u/1e3; else printf "%.2f ms", u/1e3 }'
}

runstat=$(realpath "${1:-build}/runstat_bench")
read -r spawn spawn_cpu _ _ <<<"$("$runstat" --repeat 21 -- /bin/true)"
echo "Empty process (/bin/true): $(ms "$spawn") wall, $(ms "$spawn_cpu") CPU."
echo
echo "| case | wall (median of $repeat) | wall above /bin/true | CPU (user+sys) | peak RSS |"
echo "|---|---|---|---|---|"
measure "flamingo version" "$bin" version
run_case() {  # run_case NAME USER_DATA META_DATA
  local name=$1
  make_root "$work/root" "$2" "$3"
  FRESH=1 measure "$name: plan (first)" "$bin" plan --root "$work/run"
  FRESH=1 measure "$name: apply (first boot, --boot)" "$bin" apply --boot --boot-id b1 --root "$work/run"
  # Converged root for second-run figures.
  rm -rf "$work/conv"; cp -a "$work/root" "$work/conv"
  "$bin" apply --boot --boot-id b1 --root "$work/conv" >/dev/null 2>&1 || true
  measure "$name: plan (second)" "$bin" plan --root "$work/conv"
  measure "$name: apply (second, full observe)" "$bin" apply --root "$work/conv"
  # A reboot after the first one (what that boot left: boot-finished, the
  # output log), in a new boot for every run.
  "$bin" apply --boot --boot-id b2 --root "$work/conv" >/dev/null 2>&1 || true
  rm -rf "$work/conv/run/flamingo"
  REBOOT=1 measure "$name: apply --boot (reboot fast path)" "$bin" apply --boot --root "$work/run"
  ! mountpoint -q "$work/run/run" || umount "$work/run/run"
}

run_case "seed" "$shared/bench/seed/user-data" "$shared/bench/seed/meta-data"
printf 'instance-id: iid-bench-files\nlocal-hostname: bench\n' > "$work/meta"
for n in $sizes; do
  gen_files "$n" > "$work/ud-$n"
  run_case "$n files" "$work/ud-$n" "$work/meta"
done
for n in $user_sizes; do
  gen_users "$n" > "$work/users-$n"
  run_case "$n users" "$work/users-$n" "$work/meta"
done
