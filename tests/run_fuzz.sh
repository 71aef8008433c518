#!/bin/bash
# Fuzzes every parser of outside input for a bounded time and fails on any
# crash, sanitizer report, leak or timeout. The targets (one *_fuzz.cc each):
#
#   cloud_config_fuzz   the cloud-config front door and compilers
#   userdata_fuzz       user-data decoding: MIME, gzip, archives, YAML
#   http_response_fuzz  the built-in HTTP/1.1 response parser
#   fs_image_fuzz       ISO 9660 and FAT images (NoCloud cidata, ConfigDrive)
#   metadata_fuzz       metadata services' answers (EC2, GCE, OpenStack),
#                       NoCloud meta-data, the kernel command line
#   system_files_fuzz   the system's own files: account files, login.defs,
#                       sshd_config, unit files, /etc/hosts
#   state_fuzz          the state file's parser and writer
#   codec_fuzz          the base64 and gzip decoders
#
#   tests/run_fuzz.sh              # FUZZ_SECONDS in all (default 60)
#   FUZZ_SECONDS=600 tests/run_fuzz.sh
#
# The budget is split, not added to (the shares are in `targets` below; each
# target gets at least one second).
#
# Configures and builds build-fuzz (clang, -DFLAMINGO_FUZZ=ON: ASan, UBSan,
# libFuzzer), seeds a temporary corpus per target (the shared corpus, the
# files in tests/fuzz/, small images made with genisoimage and mkfs.vfat when
# present) and runs the targets. A crashing input is kept in
# build-fuzz/artifacts/; reproduce it with:
#   build-fuzz/<target> build-fuzz/artifacts/crash-...
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$src/build-fuzz}
shared=${FLAMINGO_SHARED_DIR:-$src/../shared}
seconds=${FUZZ_SECONDS:-60}

# name, share of the budget in percent, -max_len, dictionary (or -).
targets=(
  "cloud_config_fuzz 35 65536 cloud_config.dict"
  "userdata_fuzz 10 65536 cloud_config.dict"
  "http_response_fuzz 12 8192 http_response.dict"
  "fs_image_fuzz 10 131072 -"
  "metadata_fuzz 10 16384 -"
  "system_files_fuzz 10 16384 -"
  "state_fuzz 8 16384 -"
  "codec_fuzz 5 4096 -"
)
names=()
for t in "${targets[@]}"; do names+=("${t%% *}"); done

CC=clang CXX=clang++ cmake -S "$src" -B "$build" -G Ninja \
  -DFLAMINGO_FUZZ=ON -DFLAMINGO_TESTS=OFF -DFLAMINGO_WERROR=OFF >/dev/null
ninja -C "$build" -j2 "${names[@]}"

corpora=$(mktemp -d)
trap 'rm -rf "$corpora"' EXIT
for n in "${names[@]}"; do mkdir "$corpora/$n"; done

# Cloud-configs and user-data: the shared corpus.
n=0
if [ -d "$shared/corpus" ]; then
  while IFS= read -r -d '' f; do
    cp "$f" "$corpora/cloud_config_fuzz/seed-$n"
    cp "$f" "$corpora/userdata_fuzz/seed-$n"
    n=$((n + 1))
  done < <(find "$shared/corpus" -type f -size -64k -print0)
fi
# A MIME multi-part and a gzip user-data.
printf 'Content-Type: multipart/mixed; boundary="B"\nMIME-Version: 1.0\n\n--B\nContent-Type: text/cloud-config\n\nhostname: a\n--B\nContent-Type: text/x-shellscript\n\n#!/bin/sh\necho hi\n--B--\n' \
  >"$corpora/userdata_fuzz/mime"
printf '#cloud-config\nruncmd: [ls]\n' | gzip -c >"$corpora/userdata_fuzz/gzip"

# HTTP responses: seeds for each framing; the first byte of an input picks
# how the rest is split into reads (and HEAD, and the size limit).
http=$corpora/http_response_fuzz
printf '\001HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello' \
  >"$http/length"
printf '\003HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nT: 1\r\n\r\n' \
  >"$http/chunked"
printf '\002HTTP/1.0 404 Not Found\nServer: x\n  folded\n\nuntil close' \
  >"$http/close"
printf '\005HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n' \
  >"$http/interim"

# Filesystem images holding a NoCloud seed: a FAT one, and the head of an
# ISO 9660 one (its volume descriptors and directories come first).
img_src=$(mktemp -d -p "$corpora")
printf 'instance-id: fuzz\n' >"$img_src/meta-data"
printf '#cloud-config\nhostname: fuzz\n' >"$img_src/user-data"
if command -v mkfs.vfat >/dev/null && command -v mcopy >/dev/null; then
  fat=$corpora/fs_image_fuzz/fat
  truncate -s 64K "$fat"
  if mkfs.vfat -n CIDATA "$fat" >/dev/null 2>&1; then
    mcopy -i "$fat" "$img_src/meta-data" "$img_src/user-data" ::/
  else
    rm -f "$fat"
  fi
fi
if command -v genisoimage >/dev/null; then
  genisoimage -quiet -V cidata -r -J -o "$img_src/seed.iso" \
    "$img_src/meta-data" "$img_src/user-data" 2>/dev/null &&
    head -c 128K "$img_src/seed.iso" >"$corpora/fs_image_fuzz/iso"
fi
rm -rf "$img_src"

# Metadata services: a selector byte (0 EC2, 1 GCE, 2 OpenStack), then the
# answers to the datasource's requests in order, NUL-separated.
md=$corpora/metadata_fuzz
printf '\000token\000instance-id\nlocal-hostname\npublic-keys/\n\000i-0123\000host\0000=mykey\n\000openssh-key\n\000ssh-ed25519 AAAA k\000#cloud-config\n' \
  >"$md/ec2"
printf '\001{"id": 42, "hostname": "h.c.p.internal", "zone": "projects/1/zones/z-a", "attributes": {"ssh-keys": "u:ssh-ed25519 AAAA u", "user-data": "#cloud-config"}}\000{"attributes": {"ssh-keys": "root:ssh-rsa AAAA google-ssh {\\"userName\\":\\"r\\",\\"expireOn\\":\\"2018-01-01T00:00:00+0000\\"}"}}' \
  >"$md/gce"
printf '\002{"uuid": "u-1", "hostname": "h", "public_keys": {"k": "ssh-ed25519 AAAA k"}, "availability_zone": "nova", "launch_index": 0}\000#cloud-config\000{"cloud-init": "#cloud-config"}' \
  >"$md/openstack"
printf '\000!\000ds=nocloud;s=http://10.0.0.1/seed/;i=iid;h=host\000instance-id: iid\nlocal-hostname: h\n' \
  >"$md/nocloud"

cp "$src/tests/fuzz/system-files.seed" "$corpora/system_files_fuzz/seed"
cp "$src/tests/fuzz/state-example.json" "$corpora/state_fuzz/example"
printf 'aGVsbG8gd29ybGQK' >"$corpora/codec_fuzz/base64"
printf 'hello\n' | gzip -c >"$corpora/codec_fuzz/gzip"

mkdir -p "$build/artifacts"
# FUZZ_SEED makes the run repeatable (CI sets it, so that a landing is not
# decided by chance); without it libFuzzer picks a new seed every run.
seed_args=()
if [ -n "${FUZZ_SEED:-}" ]; then seed_args=(-seed="$FUZZ_SEED"); fi
echo "run_fuzz: $seconds seconds over ${#names[@]} targets, $n shared seeds"
for t in "${targets[@]}"; do
  read -r name share max_len dict <<<"$t"
  secs=$((seconds * share / 100))
  if [ "$secs" -lt 1 ]; then secs=1; fi
  dict_args=()
  if [ "$dict" != - ]; then dict_args=(-dict="$src/tests/fuzz/$dict"); fi
  echo "run_fuzz: $name for $secs s"
  # -rss_limit_mb: the parsers cap their own growth well below this.
  "$build/$name" \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -max_len="$max_len" "${dict_args[@]}" \
    -artifact_prefix="$build/artifacts/" -print_final_stats=1 \
    "${seed_args[@]}" "$corpora/$name"
done
