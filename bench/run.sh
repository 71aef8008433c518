#!/usr/bin/env bash
# Benchmarks flamingo (not a timed test): wall time and peak RSS of plan and
# apply on the reference seed and on generated configs of 10..10,000 files,
# first run and second run, plus the reboot fast path. Prints a Markdown
# table; docs/performance.md records the figures.
#
#   bench/run.sh [BUILD_DIR]      (default: build)
# Env: SIZES="10 100 1000 10000", REPEAT=5 (median of REPEAT runs).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-build}/flamingo")
shared=${SHARED:-$(realpath ../shared)}
sizes=${SIZES:-"10 100 1000 10000"}
repeat=${REPEAT:-5}
work=$(mktemp -d /tmp/flamingo-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

make_root() {  # make_root DIR USER_DATA META_DATA
  rm -rf "$1"
  mkdir -p "$1/etc" "$1/var/lib/cloud/seed/nocloud"
  for f in passwd group shadow gshadow login.defs; do
    [ -e "/etc/$f" ] && cp -p "/etc/$f" "$1/etc/$f"
  done
  [ -d /etc/skel ] && cp -a /etc/skel "$1/etc/skel"
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

# measure LABEL CMD... : median wall ms and max RSS KiB over $repeat runs.
# The command is re-run on a fresh copy of the root when FRESH=1.
measure() {
  local label=$1; shift
  local times=() rss=0
  for ((r = 0; r < repeat; r++)); do
    if [ "${FRESH:-0}" = 1 ]; then rm -rf "$work/run"; cp -a "$work/root" "$work/run"; fi
    [ -n "${PRE:-}" ] && eval "$PRE"
    local t0 t1 out
    t0=$(date +%s%N)
    out=$( { /usr/bin/time -f '%M' "$@" >/dev/null 2>/dev/null; } 2>&1 | tail -1)
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000 )))
    [ "$out" -gt "$rss" ] 2>/dev/null && rss=$out
  done
  local med
  med=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (repeat + 1) / 2 ))p")
  printf '| %s | %d.%02d ms | %.1f MB |\n' "$label" $((med / 1000)) $(((med % 1000) / 10)) "$(awk "BEGIN{print $rss/1024}")"
}

echo "| case | wall (median of $repeat) | peak RSS |"
echo "|---|---|---|"
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
  measure "$name: apply --boot (reboot fast path)" "$bin" apply --boot --boot-id b2 --root "$work/conv"
}

run_case "seed" "$shared/bench/seed/user-data" "$shared/bench/seed/meta-data"
printf 'instance-id: iid-bench-files\nlocal-hostname: bench\n' > "$work/meta"
for n in $sizes; do
  gen_files "$n" > "$work/ud-$n"
  run_case "$n files" "$work/ud-$n" "$work/meta"
done
