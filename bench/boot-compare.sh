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
build=$(realpath "${1:-build}")
repeat=${REPEAT:-3}
seed=${SEED:-$(realpath "${FLAMINGO_SHARED_DIR:-../shared}")/bench/seed}
[[ -x "$build/flamingo" ]] || { echo "no $build/flamingo" >&2; exit 2; }
[[ -f "$seed/user-data" ]] || { echo "no seed in $seed" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || { echo "needs root" >&2; exit 2; }

base=$(tests/boot/build-rootfs.sh --base)
cache=${FLAMINGO_BOOT_CACHE:-/var/cache/flamingo-test}
work=$(mktemp -d /var/tmp/flamingo-compare.XXXXXX)
trap 'rm -rf "$work"' EXIT
# BENCH_FS=ext4: the booted copies live on a fresh journaled ext4 (a loop
# file on the same disk), as an instance's root filesystem is; this VM's own
# / is ext4 without a journal, where every fsync is a full cache flush.
# Both tools boot from it alike.
if [[ "${BENCH_FS:-}" == ext4 ]]; then
  truncate -s 3G "$work/fs.img"
  mkfs.ext4 -q -F "$work/fs.img"
  mkdir "$work/mnt"
  mount -o loop "$work/fs.img" "$work/mnt"
  trap 'umount "$work/mnt"; rm -rf "$work"' EXIT
  boot_dir="$work/mnt"
else
  boot_dir="$work"
fi

size() {  # bytes in a root, apt lists/caches and logs excluded
  du -sbx --exclude=./var/lib/apt/lists --exclude=./var/cache/apt \
    --exclude=./var/log -- "$1" | cut -f1
}
in_root() {  # in_root ROOT CMD...: run a command in the root (not booted)
  local root=$1
  shift
  systemd-nspawn -q --register=no --keep-unit -D "$root" \
    --setenv=DEBIAN_FRONTEND=noninteractive "$@" </dev/null
}
apt_install() {  # apt_install ROOT PKG...
  local root=$1
  shift
  in_root "$root" sh -c "apt-get update -qq && apt-get install -y -qq \
    --no-install-recommends $* >/dev/null && apt-get clean" >&2
  rm -rf "$root/var/lib/apt/lists/"*
}

# The two images, cached by what goes into them (the flamingo one also by
# the binary's hash, since it changes with every build).
ci_img="$cache/compare-cloud-init-$(basename "$base")"
if [[ ! -f "$ci_img/.complete" ]]; then
  rm -rf "$ci_img"
  cp -a --reflink=auto "$base" "$ci_img.tmp"
  apt_install "$ci_img.tmp" cloud-init
  touch "$ci_img.tmp/.complete"
  mv "$ci_img.tmp" "$ci_img"
fi
# flamingo's shared libraries from Debian: yaml-cpp and libnftnl are linked
# statically, libcurl is optional (dlopen'd for https:// only) and left out
# as a minimal image would. The cache is keyed by the list too.
fl_pkgs="libmnl0"
fl_key=$(printf '%s' "$fl_pkgs" | sha256sum | cut -c1-8)
fl_libs="$cache/compare-flamingo-libs-$fl_key-$(basename "$base")"
if [[ ! -f "$fl_libs/.complete" ]]; then
  rm -rf "$fl_libs"
  cp -a --reflink=auto "$base" "$fl_libs.tmp"
  apt_install "$fl_libs.tmp" $fl_pkgs
  touch "$fl_libs.tmp/.complete"
  mv "$fl_libs.tmp" "$fl_libs"
fi
fl_img="$work/flamingo-image"
cp -a --reflink=auto "$fl_libs" "$fl_img"
DESTDIR="$fl_img" cmake --install "$build" --prefix /usr --strip >/dev/null
systemctl --root="$fl_img" --quiet enable flamingo-local.service \
  flamingo-final.service flamingo-scripts.service

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
  local img=$1 copy="$boot_dir/boot"
  rm -rf "$copy"
  cp -a --reflink=auto "$img" "$copy"
  timeout 300 systemd-nspawn -q -b --register=no --keep-unit \
    --private-network -D "$copy" </dev/null >"$work/console.txt" 2>&1 || true
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
