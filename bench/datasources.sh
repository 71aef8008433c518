#!/usr/bin/env bash
# Datasource benchmark (not a timed test): wall time of `flamingo query` with
# auto detection on this machine, a NoCloud seed directory, and each HTTP
# datasource against a loopback server (bench/metadata_server.py). Prints a
# Markdown table (median and max of REPEAT runs, milliseconds).
#
#   bench/datasources.sh [BUILD_DIR]     Env: REPEAT=20
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-build}/flamingo")
shared=${SHARED:-$(realpath ../shared)}
repeat=${REPEAT:-20}
work=$(mktemp -d /tmp/flamingo-dsbench.XXXXXX)
srv_pid=
cleanup() { [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

python3 bench/metadata_server.py "$shared" >"$work/port" &
srv_pid=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
url="http://127.0.0.1:$(head -1 "$work/port")"

mkdir -p "$work/root/var/lib/cloud/seed/nocloud"
printf 'instance-id: iid-bench\nlocal-hostname: bench\n' >"$work/root/var/lib/cloud/seed/nocloud/meta-data"
printf '#cloud-config\nhostname: bench\n' >"$work/root/var/lib/cloud/seed/nocloud/user-data"

measure() {  # measure LABEL ARGS... -> "| LABEL | median | max | result |"
  local label=$1; shift
  local times=() out
  for _ in $(seq "$repeat"); do
    local t0 t1
    t0=$(date +%s%N)
    out=$("$bin" query "$@" v1.instance_id 2>&1 || true)
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000 )))
  done
  local sorted
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  local med max
  med=$(echo "$sorted" | sed -n "$(( (repeat + 1) / 2 ))p")
  max=$(echo "$sorted" | tail -1)
  printf '| %s | %d.%01d | %d.%01d | %s |\n' "$label" $((med / 1000)) $((med % 1000 / 100)) \
    $((max / 1000)) $((max % 1000 / 100)) "$(echo "$out" | tail -1)"
}

echo "| case | median ms | max ms | instance_id (or error) |"
echo "|---|---|---|---|"
measure "auto, no cloud (this machine)"
measure "auto, NoCloud seed dir (--root)" --root "$work/root"
measure "ec2 (IMDSv2, loopback)" --datasource ec2 --metadata-url "$url"
measure "gce (loopback)" --datasource gce --metadata-url "$url"
measure "openstack (loopback)" --datasource openstack --metadata-url "$url"
if c++ -std=c++20 -O2 -I. -I"$(dirname "$bin")/generated" bench/detect_bench.cc \
    "$(dirname "$bin")/libflamingo_core.a" -lcurl -lyaml-cpp -lz -lsystemd -lcrypt -lmnl -lnftnl \
    -o "$work/detect_bench" 2>/dev/null; then
  "$work/detect_bench"
fi
