#!/bin/bash
# busybox-image.sh OUT.tar [NAME]: builds a small image from the host's busybox-static, offline, as a
# docker-archive that `capsa load -i OUT.tar` (or docker load) takes. NAME defaults to localhost/busybox:latest.
# The image: /bin/busybox and its applets, /etc/passwd and /etc/group (root, daemon, www-data in group
# staff, nobody), Cmd ["sh"]. Reproducible: the same busybox gives the same image id.
# BUSYBOX_IMAGE_CONFIG='{"Entrypoint":[...],"User":"www-data",...}' replaces the image config's "config" object
# (default: PATH and Cmd ["sh"]); the layer stays the same.
set -euo pipefail
out=${1:?usage: busybox-image.sh OUT.tar [NAME]}
name=${2:-localhost/busybox:latest}
bb=${BUSYBOX:-/bin/busybox}
[[ -x $bb ]] || { echo "busybox-image.sh: $bb not found (apt-get install busybox-static)" >&2; exit 1; }
case $(uname -m) in
  x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; armv7l) arch=arm ;; i?86) arch=386 ;; *) arch=$(uname -m) ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/busybox-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,var/www,home}
chmod 1777 "$root/tmp"
chmod 700 "$root/root"
cp "$bb" "$root/bin/busybox"
"$bb" --list-full | while read -r applet; do
  [[ -e $root/$applet || -L $root/$applet ]] || ln -s /bin/busybox "$root/$applet"
done
cat > "$root/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat > "$root/etc/group" <<'G'
root:x:0:
daemon:x:1:
www-data:x:33:
staff:x:50:www-data
nogroup:x:65534:
G

layer=$work/layer.tar
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$root" -cf "$layer" .
diff=$(sha256sum "$layer" | cut -d' ' -f1)
created=$(date -u -d "@$(stat -c %Y "$bb")" +%Y-%m-%dT%H:%M:%SZ)
run_config=${BUSYBOX_IMAGE_CONFIG:-'{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]}'}
config="{\"architecture\":\"$arch\",\"os\":\"linux\",\"created\":\"$created\",\"config\":$run_config,\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:$diff\"]},\"history\":[{\"created\":\"$created\",\"created_by\":\"bin/busybox-image.sh (busybox-static of the host)\"}]}"
cid=$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)
arch_dir=$work/archive
mkdir -p "$arch_dir/$diff"
mv "$layer" "$arch_dir/$diff/layer.tar"
printf '%s' "$config" > "$arch_dir/$cid.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$cid" "$name" "$diff" > "$arch_dir/manifest.json"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$arch_dir" -cf "$out.tmp" .
mv "$out.tmp" "$out"
echo "$out: $name (image id sha256:${cid:0:12})"
