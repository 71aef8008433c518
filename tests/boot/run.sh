#!/bin/bash
# Boots a Debian bookworm root with flamingo installed, twice, under
# systemd-nspawn, and checks what converged (see boot-check.sh):
#   boot 1: users, keys, new SSH host keys, files, hostname, timezone, a unit written+enabled+started,
#           runcmd and bootcmd ran once, sshd started after flamingo;
#           power_state powered it off (the checker does not, on boot 1);
#   boot 2: nothing re-ran but bootcmd (nor power_state: the checker powers off).
# Exit 0 pass, 1 fail, 77 skipped (not root, or a tool is missing).
#
# Usage: tests/boot/run.sh --build-dir BUILD [--keep]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=""
keep=0
while (($#)); do
  case $1 in
    --build-dir) build=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 --build-dir BUILD [--keep]" >&2; exit 2 ;;
  esac
done
[[ -n "$build" && -x "$build/flamingo" ]] || {
  echo "run.sh: --build-dir must hold a built flamingo" >&2; exit 2; }
if [[ $(id -u) -ne 0 ]]; then echo "SKIP: needs root"; exit 77; fi
for t in debootstrap systemd-nspawn systemctl; do
  command -v $t >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done

rootfs=$("$here/build-rootfs.sh")
work=$(mktemp -d /var/tmp/flamingo-boot.XXXXXX)
cleanup() { if ((keep)); then echo "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
root="$work/root"
cp -a --reflink=auto "$rootfs" "$root"

# flamingo as a package would install it; boot units enabled by preset.
DESTDIR="$root" cmake --install "$build" --prefix /usr >/dev/null
systemctl --root="$root" --quiet enable flamingo-local.service \
  flamingo-final.service flamingo-scripts.service
mkdir -p "$root/var/lib/cloud/seed/nocloud"
cp "$here/seed/meta-data" "$here/seed/user-data" \
  "$root/var/lib/cloud/seed/nocloud/"

# The checker: after flamingo, the unit it starts, and multi-user.target.
install -m 0755 "$here/boot-check.sh" "$root/usr/local/sbin/boot-check"
cat >"$root/etc/systemd/system/boot-check.service" <<'UNIT'
[Unit]
Description=Report the converged state and power off
After=multi-user.target flamingo-local.service flamingo-final.service flamingo-scripts.service hello.service ssh.service
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/boot-check
[Install]
WantedBy=multi-user.target
UNIT
systemctl --root="$root" --quiet enable boot-check.service
mkdir -p "$root/boot-result"

boot() {
  local n=$1
  local start=$SECONDS
  # --keep-unit --register=no: these machines have no machined and the test
  # may itself run in a unit; the container gets its own network namespace.
  # --timezone=off: by default nspawn points a container's /etc/localtime
  # link at the host's zone before it boots, undoing the config's timezone
  # (a machine's own boot does not).
  if ! timeout 240 systemd-nspawn -q -b --register=no --keep-unit \
      --private-network --timezone=off -D "$root" </dev/null >"$work/console-$n.txt" 2>&1; then
    echo "boot $n: systemd-nspawn failed or timed out; console:" >&2
    tail -n 40 "$work/console-$n.txt" >&2
  fi
  echo "boot $n: $((SECONDS - start)) s"
  if [[ ! -f "$root/boot-result/boot-$n.txt" ]]; then
    echo "boot $n: no result written; console:" >&2
    tail -n 60 "$work/console-$n.txt" >&2
    return 1
  fi
  cat "$root/boot-result/boot-$n.txt"
}

fails=0
expect() {  # expect N KEY VALUE
  local got
  got=$(sed -n "s/^$2=//p" "$root/boot-result/boot-$1.txt")
  if [[ "$got" != "$3" ]]; then
    echo "FAIL boot $1: $2: got \"$got\", want \"$3\"" >&2
    fails=$((fails + 1))
  fi
}
common() {
  expect "$1" hostname flamingo-boot
  expect "$1" etc_hostname flamingo-boot
  expect "$1" localtime ../usr/share/zoneinfo/Europe/Berlin
  expect "$1" etc_timezone Europe/Berlin
  expect "$1" epoch_zone CET  # the time zone glibc reads from the link
  expect "$1" host_key_types "ecdsa ed25519 rsa "
  expect "$1" host_key_mode 600
  expect "$1" alice alice:/home/alice:/bin/bash
  expect "$1" alice_groups "alice sudo"
  expect "$1" alice_key alice@boot-test
  expect "$1" alice_key_owner alice
  expect "$1" sshd_passwordauthentication no
  expect "$1" boot_finished yes
  expect "$1" file greeting=hello
  expect "$1" file_mode 640
  expect "$1" unit_enabled enabled
  expect "$1" unit_active active
  expect "$1" flamingo_local success/0
  expect "$1" flamingo_final inactive
  expect "$1" flamingo_scripts success/0
  expect "$1" scripts_after_network yes
  expect "$1" ssh_after_flamingo yes
  expect "$1" failed_units ""
}

# The image's own host key: every instance must get a new one.
image_key=$(cut -d' ' -f2 "$root/etc/ssh/ssh_host_ed25519_key.pub")
boot 1 || exit 1
common 1
key1=$(sed -n 's/^host_key=//p' "$root/boot-result/boot-1.txt")
if [[ -z "$key1" || "$key1" == "$image_key" ]]; then
  echo "FAIL boot 1: host key not made anew (image $image_key, now $key1)" >&2
  fails=$((fails + 1))
fi
expect 1 unit_runs 1
expect 1 runcmd_runs 1
expect 1 bootcmd_runs 1
expect 1 power_state_scheduled 1
if [[ -e "$root/boot-result/no-power-state-1" ]]; then
  echo "FAIL boot 1: power_state did not power the instance off within 60 s" >&2
  fails=$((fails + 1))
fi

touch "$root/boot-result/check-powers-off"

boot 2 || exit 1
common 2
expect 2 host_key "$key1"  # once per instance
expect 2 unit_runs 2     # started by systemd at boot, not again by flamingo
expect 2 runcmd_runs 1   # once per instance
expect 2 bootcmd_runs 2  # every boot
expect 2 power_state_scheduled 1  # once per instance

if ((fails)); then
  echo "flamingo journal of the failed boot(s):" >&2
  cat "$root"/boot-result/journal-*.txt >&2 || true
  exit 1
fi
echo "PASS: two boots converged as expected"
