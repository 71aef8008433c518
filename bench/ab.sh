#!/usr/bin/env bash
# Two flamingo binaries side by side (not a timed test): one case run by
# each in turn, ROUNDS rounds of REPEAT runs each, on the same roots. On a
# shared VM a single run's figures move by 10-40% with the machine's load
# (docs/performance.md); alternating the two in the same minutes is how a
# change's own effect shows. Per round: each binary's median wall time, CPU
# (user + system, children included) and peak RSS, from runstat_bench; then
# the median of the rounds' medians.
#
#   bench/ab.sh BIN_A BIN_B [CASE]
#
# CASE: reboot (default; a real reboot of a converged root: a fresh copy,
# /run an empty tmpfs, a new boot id every run), first (a first boot of a
# fresh root), seed-reboot, seed-first (the same with ../shared/bench/seed
# instead of FILES generated files). The converged root is made by BIN_A.
# Env: BENCH_FS=ext4 (bench/lib.sh), ROUNDS=8, REPEAT=21, FILES=10.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 2 ]; then
  sed -n '2,17p' "$0" >&2
  exit 2
fi
bin_a=$(realpath "$1")
bin_b=$(realpath "$2")
what=${3:-reboot}
runstat=$(realpath "${RUNSTAT:-build/runstat_bench}")
shared=${SHARED:-$(realpath ../shared)}
rounds=${ROUNDS:-8}
repeat=${REPEAT:-21}
files=${FILES:-10}
top=$(mktemp -d /var/tmp/flamingo-ab.XXXXXX)
# shellcheck source=bench/lib.sh
source bench/lib.sh
scratch_fs "$top" 1G  # BENCH_FS=ext4: see bench/lib.sh
work=$scratch

case "$what" in
  reboot | first)
    gen_files "$files" >"$work/ud"
    printf 'instance-id: iid-bench-files\nlocal-hostname: bench\n' >"$work/meta"
    ;;
  seed-reboot | seed-first)
    cp "$shared/bench/seed/user-data" "$work/ud"
    cp "$shared/bench/seed/meta-data" "$work/meta"
    ;;
  *)
    echo "bench/ab.sh: unknown case '$what'" >&2
    exit 2
    ;;
esac
make_root "$work/root" "$work/ud" "$work/meta"
case "$what" in
  *reboot)
    # A reboot after the first one (what that boot left), as bench/run.sh.
    cp -a "$work/root" "$work/conv"
    "$bin_a" apply -q --boot --boot-id b1 --root "$work/conv"
    "$bin_a" apply -q --boot --boot-id b2 --root "$work/conv"
    rm -rf "$work/conv/run/flamingo"
    reset=$(reboot_reset "$work/conv" "$work/run")
    ;;
  *)
    reset="{ ! mountpoint -q '$work/run/run' || umount '$work/run/run'; } &&
      rm -rf '$work/run' && cp -a '$work/root' '$work/run' &&
      sync -f '$work/run'"
    ;;
esac

median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
walls_a=() walls_b=()
echo "case $what, $rounds rounds of $repeat runs each (wall / CPU in us, peak RSS in KB)"
for ((r = 1; r <= rounds; r++)); do
  line="round $r:"
  for side in a b; do
    bin=$bin_a
    [ "$side" = b ] && bin=$bin_b
    read -r wall cpu rss fails <<<"$("$runstat" --repeat "$repeat" \
      --reset "$reset" -- "$bin" apply -q --boot --root "$work/run")"
    [ "$fails" = 0 ] || line+=" ($fails runs of $side FAILED)"
    line+=" $side $wall / $cpu / $rss"
    if [ "$side" = a ]; then walls_a+=("$wall"); else walls_b+=("$wall"); fi
  done
  echo "$line"
done
! mountpoint -q "$work/run/run" || umount "$work/run/run"
ma=$(printf '%s\n' "${walls_a[@]}" | median)
mb=$(printf '%s\n' "${walls_b[@]}" | median)
awk -v a="$ma" -v b="$mb" -v na="$1" -v nb="$2" 'BEGIN {
  printf "median of the rounds: %s %.2f ms, %s %.2f ms (B/A %.3f)\n",
         na, a / 1000, nb, b / 1000, b / a }'
