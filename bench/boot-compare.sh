#!/usr/bin/env bash
# Side by side with cloud-init, in real boots: two copies of the same
# minimal Debian bookworm root (tests/boot/build-rootfs.sh --base), one with
# flamingo (its shared libraries from Debian + `cmake --install --strip`),
# one with Debian's cloud-init (apt-get install --no-install-recommends),
# the same NoCloud seed (../shared/bench/seed), each booted REPEAT times
# from a fresh copy with
#   systemd-nspawn -b --register=no --keep-unit --private-network
# A report unit ordered after both tools' units reads systemd's own
# timestamps and powers off:
#   flamingo:   flamingo-local/-final (early phase), flamingo-scripts (late)
#   cloud-init: cloud-init-local, cloud-init, cloud-config, cloud-final
# as each unit's InactiveExitTimestampMonotonic .. ExecMainExitTimestamp-
# Monotonic: the units' run times added up, and the span from the first
# start to the last end (which includes waiting for network-online.target)
# and the size each adds to the image (du of the root, apt lists and
# caches excluded). Prints a Markdown table.
#
#   bench/boot-compare.sh [BUILD_DIR]   (default: build; needs root)
# Env: REPEAT=3, SEED=dir with meta-data and user-data, BENCH_FS=ext4 (see
# below).
set -euo pipefail
cd "$(dirname "$0")/.."
default_repeat=3
# shellcheck source=bench/compare-setup.sh
source bench/compare-setup.sh

base_size=$(size "$base")
fl_size=$(($(size "$fl_img") - base_size))
ci_size=$(($(size "$ci_img") - base_size - 0))
# The .complete markers are empty files: no size.

report_unit() {  # report_unit ROOT UNITS...
  local root=$1
  shift
  cat >"$root/usr/local/sbin/bench-report" <<SCRIPT
#!/bin/sh
for u in $*; do
  printf '%s %s %s %s\n' "\$u" \
    "\$(systemctl show -p InactiveExitTimestampMonotonic --value \$u)" \
    "\$(systemctl show -p ExecMainExitTimestampMonotonic --value \$u)" \
    "\$(systemctl show -p Result --value \$u)"
done > /bench-result.tmp
mv /bench-result.tmp /bench-result
systemctl --no-block poweroff
SCRIPT
  chmod 0755 "$root/usr/local/sbin/bench-report"
  cat >"$root/etc/systemd/system/bench-report.service" <<UNIT
[Unit]
After=multi-user.target $*
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/bench-report
[Install]
WantedBy=multi-user.target
UNIT
  systemctl --root="$root" --quiet enable bench-report.service
  mkdir -p "$root/var/lib/cloud/seed/nocloud"
  cp "$seed/meta-data" "$seed/user-data" "$root/var/lib/cloud/seed/nocloud/"
}
report_unit "$fl_img" flamingo-local.service flamingo-final.service \
  flamingo-scripts.service
ci_run="$work/cloud-init-image"
cp -a --reflink=auto "$ci_img" "$ci_run"
report_unit "$ci_run" cloud-init-local.service cloud-init.service \
  cloud-config.service cloud-final.service

# span ROOT: "SPAN SUM" in milliseconds: from the first unit's start to the
# last one's end (waits between units included: cloud-final and
# flamingo-scripts wait for network-online.target), and the units' own run
# times added up (units that did not run have 0 timestamps and are ignored).
span() {
  awk '$2 > 0 && $3 > 0 { if (s == 0 || $2 < s) s = $2; if ($3 > e) e = $3
                          sum += $3 - $2 }
       END { if (s == 0) print "NA NA"
             else printf "%.1f %.1f\n", (e - s) / 1000, sum / 1000 }' \
    "$1/bench-result"
}
boot_once() {  # boot_once IMAGE -> span in ms (fresh copy each time)
  local img=$1 copy="$scratch/boot"
  rm -rf "$copy"
  cp -a --reflink=auto "$img" "$copy"
  settle "$copy"
  timeout 300 systemd-nspawn -q -b --register=no --keep-unit \
    --private-network --timezone=off -D "$copy" </dev/null >"$work/console.txt" 2>&1 || true
  if [[ ! -f "$copy/bench-result" ]]; then
    echo "no result from $img; console:" >&2
    tail -n 30 "$work/console.txt" >&2
    echo "NA NA"
    return
  fi
  cat "$copy/bench-result" >&2
  span "$copy"
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

fl_span=() fl_sum=() ci_span=() ci_sum=()
for ((i = 1; i <= repeat; i++)); do
  read -r a b <<<"$(boot_once "$fl_img")"
  fl_span+=("$a") fl_sum+=("$b")
  read -r a b <<<"$(boot_once "$ci_run")"
  ci_span+=("$a") ci_sum+=("$b")
done
med() { printf '%s\n' "$@" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {
  if (b > 0) printf "%.0f", a / b; else print "NA" }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1000000 }'; }
fs=$(med "${fl_span[@]}") fm=$(med "${fl_sum[@]}")
cs=$(med "${ci_span[@]}") cm=$(med "${ci_sum[@]}")

cat <<TABLE
| first boot, NoCloud seed, systemd-nspawn | flamingo | cloud-init | ratio |
|---|---|---|---|
| units' run time added up, median of $repeat (all runs, ms) | $fm ms (${fl_sum[*]}) | $cm ms (${ci_sum[*]}) | $(ratio "$cm" "$fm") x |
| first unit's start to last unit's end, median (all runs, ms) | $fs ms (${fl_span[*]}) | $cs ms (${ci_span[*]}) | $(ratio "$cs" "$fs") x |
| added to the image | $(mb "$fl_size") | $(mb "$ci_size") | |
TABLE
