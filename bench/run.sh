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

make_root() {  # make_root DIR USER_DATA META_DATA
  rm -rf "$1"
  mkdir -p "$1/etc" "$1/var/lib/cloud/seed/nocloud" "$1/tmp" "$1/var/tmp" "$1/run"
  chmod 1777 "$1/tmp" "$1/var/tmp"
  for f in passwd group shadow gshadow login.defs; do
    [ -e "/etc/$f" ] && cp -p "/etc/$f" "$1/etc/$f"
  done
  [ -d /etc/skel ] && cp -a /etc/skel "$1/etc/skel"
  # The seed's timezone, and the zone the machine is in now (tzdata).
  for z in Europe/Berlin Etc/UTC; do
    if [ -f "/usr/share/zoneinfo/$z" ]; then
      mkdir -p "$1/usr/share/zoneinfo/$(dirname "$z")"
      cp "/usr/share/zoneinfo/$z" "$1/usr/share/zoneinfo/$z"
    fi
  done
  [ -L /etc/localtime ] && cp -P /etc/localtime "$1/etc/localtime"
  # Scripts run in a chroot of the root: give it a shell if we have one.
  if [ -x /bin/busybox ] && file -L /bin/busybox 2>/dev/null | grep -q static; then
    mkdir -p "$1/bin" && cp /bin/busybox "$1/bin/busybox"
    for t in sh touch echo date hostname cat; do ln -sf busybox "$1/bin/$t"; done
  fi
  cp "$2" "$1/var/lib/cloud/seed/nocloud/user-data"
  cp "$3" "$1/var/lib/cloud/seed/nocloud/meta-data"
}

gen_files() {  # gen_files N > user-data
  echo "#cloud-config"
  echo "write_files:"
  for ((i = 0; i < $1; i++)); do
    printf '  - path: /srv/bench/d%d/file-%d.conf\n    permissions: "0644"\n    content: |\n      key = %d\n      name = file-%d\n' $((i % 100)) "$i" "$i" "$i"
  done
}

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
    reset=(--reset "{ ! mountpoint -q '$work/run/run' || umount '$work/run/run'; } &&
      rm -rf '$work/run' && cp -a '$work/conv' '$work/run' &&
      mount -t tmpfs -o mode=755 tmpfs '$work/run/run' &&
      mkdir -m 700 '$work/run/run/flamingo' && sync -f '$work/run'")
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
