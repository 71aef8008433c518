#!/usr/bin/env bash
# Installs every build and test dependency of flamingo from Debian 12 packages.
# Idempotent; needs root (apt-get). Used by the README's commands and .ci/run.
set -euo pipefail
pkgs=(
  build-essential cmake ninja-build pkg-config ccache clang
  libyaml-cpp-dev nlohmann-json3-dev libcurl4-openssl-dev libmnl-dev
  libnftnl-dev libspdlog-dev libfmt-dev libgtest-dev libgmock-dev
  librapidcheck-dev libcrypt-dev libsystemd-dev zlib1g-dev
  # test-only tools: real parts for blackbox tests
  nftables iproute2 genisoimage xorriso mtools dosfstools passwd
  systemd-container debootstrap python3 util-linux time
  busybox-static  # a static shell for chroot tests of System::Exec
  openssh-client  # a real ssh-keygen for the host keys' blackbox test
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
