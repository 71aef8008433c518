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
