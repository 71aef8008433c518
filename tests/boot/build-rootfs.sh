#!/bin/bash
# Builds (once) a minimal Debian bookworm root filesystem that boots with
# systemd-nspawn -b, and prints its path. Cached under
# ${FLAMINGO_BOOT_CACHE:-/var/cache/flamingo-test}/rootfs-<hash>, the hash
# taken over the suite, mirror and package list, so a changed list builds a
# new root and an unchanged one is reused (a later run costs nothing).
#
# The root is never booted itself: callers copy it (cp -a --reflink=auto)
# and boot the copy.
#
# Usage: build-rootfs.sh          -> the test root (with flamingo's libraries)
#        build-rootfs.sh --base   -> the same without flamingo's libraries
#                                    (bench/boot-compare.sh adds flamingo or
#                                    cloud-init to copies of it and measures)
# Needs: root, debootstrap, network access to the mirror (apt's proxy
# settings are honoured via http_proxy when apt has one configured).
set -euo pipefail

SUITE=bookworm
MIRROR=${FLAMINGO_BOOT_MIRROR:-http://deb.debian.org/debian}
CACHE=${FLAMINGO_BOOT_CACHE:-/var/cache/flamingo-test}
# systemd and what a booted instance needs; flamingo's own shared libraries
# (mnl, crypt, zlib, systemd) so the host-built binary runs; busybox for the
# result-reporting unit. yaml-cpp and libnftnl are linked statically (when
# the host has their .a files, as Debian's -dev packages do), and libcurl is
# optional (dlopen'd for https:// only; the boot seed fetches nothing).
BASE_PACKAGES=systemd,systemd-sysv,dbus,openssh-server,passwd,busybox,sudo
FLAMINGO_LIBS=libmnl0,libsystemd0,libcrypt1,zlib1g
if [[ "${1:-}" == "--base" ]]; then
  PACKAGES=$BASE_PACKAGES
else
  PACKAGES=$BASE_PACKAGES,$FLAMINGO_LIBS
fi

key=$(printf '%s\n' "$SUITE" "$MIRROR" "$PACKAGES" "v1" | sha256sum | cut -c1-16)
root="$CACHE/rootfs-$key"
if [[ -f "$root/.flamingo-rootfs-complete" ]]; then
  echo "$root"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "build-rootfs.sh: needs root" >&2
  exit 1
fi
command -v debootstrap >/dev/null || {
  echo "build-rootfs.sh: debootstrap is not installed" >&2
  exit 1
}

# Use apt's proxy, if any, for debootstrap's wget.
if [[ -z "${http_proxy:-}" ]]; then
  proxy=$(apt-config dump 2>/dev/null |
    sed -n 's/^Acquire::http::Proxy "\(.*\)";$/\1/p' | head -n1)
  if [[ -n "$proxy" && "$proxy" != "DIRECT" ]]; then
    export http_proxy=$proxy
  fi
fi

mkdir -p "$CACHE"
tmp="$root.tmp.$$"
rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT
debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$tmp" \
  "$MIRROR" >&2
# No getty on the console (nspawn's console stays quiet), no root password
# needed: the test never logs in.
rm -f "$tmp/etc/systemd/system/getty.target.wants/"* || true
# A deterministic machine-id is written per boot copy, not here.
: >"$tmp/etc/machine-id"
# sshd's host keys are generated at package install; keep them (tests do
# not connect).
apt_clean() { rm -rf "$tmp/var/cache/apt/archives/"*.deb "$tmp/var/lib/apt/lists/"*; }
apt_clean
touch "$tmp/.flamingo-rootfs-complete"
rm -rf "$root"
mv "$tmp" "$root"
trap - EXIT
echo "$root"
