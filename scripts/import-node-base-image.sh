#!/usr/bin/env bash
# Creates the Dockerfile's base image (node:20-bookworm-slim) from THIS machine's Node.js, for
# machines that cannot pull from Docker Hub (CI here reaches only Debian's archive and npm).
# The image mirrors the official one where the Dockerfile relies on it: node and npm on PATH in
# /usr/local, a POSIX sh, /usr/bin/env, /etc/passwd, a writable /tmp. Nothing is downloaded.
# It also carries the CA file this machine's npm is configured with (`npm config get cafile`):
# where egress TLS is intercepted, `npm ci` in the build stage needs it exactly as npm here does.
#
# usage: DOCKER_HOST=unix:///path/docker.sock scripts/import-node-base-image.sh [IMAGE_NAME]
set -euo pipefail

image=${1:-node:20-bookworm-slim}
docker_cli=${DOCKER_CLI:-docker}

node_bin=$(readlink -f "$(command -v node)")
npm_cli=$(readlink -f "$(command -v npm)")
# npm-cli.js lives in <npm package>/bin/; the whole package is what `npm` needs.
npm_dir=$(dirname "$(dirname "$npm_cli")")
node_major=$("$node_bin" -p 'process.versions.node.split(".")[0]')
wanted_major=$(sed -n 's/^node:\([0-9][0-9]*\)-.*/\1/p' <<<"$image")
if [ -n "$wanted_major" ] && [ "$wanted_major" != "$node_major" ]; then
  echo "import-node-base-image: this machine has Node.js $node_major, refusing to label it $image" >&2
  exit 1
fi
[ -f "$npm_dir/package.json" ] || { echo "import-node-base-image: no npm package at $npm_dir" >&2; exit 1; }

rootfs=$(mktemp -d "${TMPDIR:-/tmp}/ipw-rootfs.XXXXXX")
trap 'rm -rf "$rootfs"' EXIT
# mktemp makes the folder 0700; as the image's / that would lock out every non-root user.
chmod 0755 "$rootfs"

# Debian bookworm is merged-/usr: /lib, /lib64 and /bin are links into /usr.
mkdir -p "$rootfs"/usr/{bin,lib,lib64,local/bin,local/lib/node_modules} "$rootfs"/{etc,tmp,root}
ln -s usr/bin "$rootfs/bin"
ln -s usr/lib "$rootfs/lib"
ln -s usr/lib64 "$rootfs/lib64"
chmod 1777 "$rootfs/tmp"
chmod 0700 "$rootfs/root"

# Copies a file to the same path inside the rootfs, resolving links; /lib/... lands in /usr/lib/...
copy_into_rootfs() {
  local source=$1 target=${2:-$1}
  target=${target#/}
  case $target in lib/* | lib64/* | bin/*) target=usr/$target ;; esac
  mkdir -p "$rootfs/$(dirname "$target")"
  cp -L "$source" "$rootfs/$target"
}

# Each binary and the shared libraries it loads (ldd lists "name => /path (addr)" or "/path (addr)").
for binary in "$node_bin" /bin/sh /usr/bin/env; do
  while read -r library; do
    copy_into_rootfs "$library"
  done < <(ldd "$binary" | grep -o '/[^ ]*')
done
copy_into_rootfs "$node_bin" /usr/local/bin/node
copy_into_rootfs /bin/sh /usr/bin/sh
copy_into_rootfs /usr/bin/env /usr/bin/env

cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

npm_cafile=$(npm config get cafile 2>/dev/null || true)
if [ -n "$npm_cafile" ] && [ "$npm_cafile" != null ] && [ "$npm_cafile" != undefined ] && [ -f "$npm_cafile" ]; then
  copy_into_rootfs "$npm_cafile"
  mkdir -p "$rootfs/usr/local/etc"
  printf 'cafile=%s\n' "$npm_cafile" >"$rootfs/usr/local/etc/npmrc"
fi

# Same accounts as the official image (user node is 1000); the webhook itself runs as 65532.
cat >"$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
node:x:1000:1000::/home/node:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
PASSWD
cat >"$rootfs/etc/group" <<'GROUP'
root:x:0:
node:x:1000:
nogroup:x:65534:
GROUP
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$rootfs/etc/nsswitch.conf"

tar -C "$rootfs" --numeric-owner -c . | "$docker_cli" import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=$("$node_bin" -p 'process.versions.node')" \
  --change 'CMD ["node"]' \
  --message "node $("$node_bin" --version) and npm $("$node_bin" "$npm_cli" --version) copied from the build machine" \
  - "$image" >/dev/null
echo "import-node-base-image: created $image from $node_bin ($("$node_bin" --version))"
