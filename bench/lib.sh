# Sourced by the bench scripts (not run).

# scratch_fs TOP SIZE: where roots and images go. With BENCH_FS=ext4, a
# fresh journaled ext4 in the loop file TOP/fs.img (SIZE, e.g. 4G) mounted
# on TOP/mnt, as an instance's root filesystem is: this VM's own / is ext4
# without a journal, where every fsync is a full cache flush and inode
# allocation scans recently freed inodes. Otherwise TOP itself. Sets
# $scratch; the EXIT trap unmounts and removes TOP (root needed for ext4).
scratch_fs() {
  local top=$1 size=$2
  scratch=$top
  trap 'rm -rf "'"$top"'"' EXIT
  if [[ "${BENCH_FS:-}" == ext4 ]]; then
    truncate -s "$size" "$top/fs.img"
    mkfs.ext4 -q -F "$top/fs.img"
    mkdir "$top/mnt"
    mount -o loop "$top/fs.img" "$top/mnt"
    trap 'umount "'"$top"'/mnt"; rm -rf "'"$top"'"' EXIT
    scratch="$top/mnt"
  fi
}

# settle DIR: writes back the filesystem holding DIR (syncfs) before a run
# starts in a fresh copy of an image. An instance boots from an image at
# rest; a copy made a moment ago still has its data and its inodes' journal
# transaction pending, and the first fsync of the run under test would wait
# for all of it (a tool that fsyncs its writes, as flamingo does, would be
# charged for the copy; one that does not, would not).
settle() {
  sync -f "$1"
}

# make_root DIR USER_DATA META_DATA: a root as the benchmarks use it (this
# machine's account files, login.defs and skel, /tmp, /var/tmp, the seed's
# time zones, a static busybox as /bin/sh, the NoCloud seed).
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

# reboot_reset CONVERGED RUN: the command (for runstat_bench --reset) that
# makes RUN the root a reboot of CONVERGED finds: a fresh copy, written back,
# /run an empty tmpfs with /run/flamingo (the units' RuntimeDirectory). Each
# run then gets a boot id no earlier run had (the kernel's, unset).
reboot_reset() {
  printf '%s' "{ ! mountpoint -q '$2/run' || umount '$2/run'; } &&
      rm -rf '$2' && cp -a '$1' '$2' &&
      mount -t tmpfs -o mode=755 tmpfs '$2/run' &&
      mkdir -m 700 '$2/run/flamingo' && sync -f '$2'"
}
