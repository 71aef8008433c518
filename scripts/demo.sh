#!/usr/bin/env bash
# The main job on a shipped example, from a fresh Debian 12 machine:
# installs dependencies, builds, then plans and applies examples/demo.yaml
# to a demo root directory (./demo-root), shows the result, and proves the
# second plan is empty.
set -euo pipefail
cd "$(dirname "$0")/.."
example=${1:-examples/demo.yaml}
root=${DEMO_ROOT:-$PWD/demo-root}

bash scripts/install-deps.sh
bash scripts/build.sh
bin=build/flamingo

# A demo root: an empty image with a copy of this machine's account files.
rm -rf "$root"
mkdir -p "$root/etc" "$root/var/lib/cloud/seed/nocloud"
for f in passwd group shadow gshadow login.defs; do
  [ -e "/etc/$f" ] && cp -p "/etc/$f" "$root/etc/$f"
done
[ -d /etc/skel ] && cp -a /etc/skel "$root/etc/skel"
cp "$example" "$root/var/lib/cloud/seed/nocloud/user-data"
cp examples/demo-meta-data.yaml "$root/var/lib/cloud/seed/nocloud/meta-data"

echo "== flamingo plan --root $root"
"$bin" plan --root "$root"
echo
echo "== flamingo apply --root $root"
"$bin" apply --root "$root"
echo
echo "== flamingo plan --detailed-exitcode (must show no changes)"
"$bin" plan --root "$root" --detailed-exitcode
echo
echo "== flamingo status --root $root"
"$bin" status --root "$root"
echo
echo "== files in $root (without the copied /etc basics)"
(cd "$root" && find . -newer "$root/var/lib/cloud/seed/nocloud/user-data" \
   -not -type d | sort)
