# Shared by bench/boot-compare.sh and bench/seed-compare.sh (sourced, not
# run, from the source tree's top): their arguments and checks, the scratch
# directory, and the two images of the comparison, copies of one minimal
# Debian bookworm root (tests/boot/build-rootfs.sh --base) cached under
# $cache by what goes into them:
#   $ci_img  Debian's cloud-init (apt-get install --no-install-recommends)
#   $fl_img  flamingo installed by `cmake --install --strip` from $build
#            into $work/flamingo-image (the binary changes with every build)
# Sets build, repeat (REPEAT, default $default_repeat), seed (SEED), base,
# cache, work, scratch (BENCH_FS=ext4: bench/lib.sh), ci_img, fl_img, and
# the functions size, in_root, apt_install.
build=$(realpath "${1:-build}")
repeat=${REPEAT:-$default_repeat}
seed=${SEED:-$(realpath "${FLAMINGO_SHARED_DIR:-../shared}")/bench/seed}
[[ -x "$build/flamingo" ]] || { echo "no $build/flamingo" >&2; exit 2; }
[[ -f "$seed/user-data" ]] || { echo "no seed in $seed" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || { echo "needs root" >&2; exit 2; }

base=$(tests/boot/build-rootfs.sh --base)
cache=${FLAMINGO_BOOT_CACHE:-/var/cache/flamingo-test}
work=$(mktemp -d /var/tmp/flamingo-compare.XXXXXX)
# shellcheck source=bench/lib.sh
source bench/lib.sh
scratch_fs "$work" 3G

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

