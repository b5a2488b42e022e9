#!/bin/bash
# The demo command (README): builds Capsa and runs one container from a busybox rootfs, offline, as root.
# The container shows its own PID 1, hostname, network, mounts and cgroup limits (64 MiB memory, 32 pids).
# Then the front end: an image built here from the same busybox is loaded into a private image store and run
# with `bin/capsa run --rm` and Docker's flags. Everything is removed again. DEMO_RUNTIME=/usr/sbin/runc runs
# the first part with another runtime (and skips the front end).
set -euo pipefail
cd "$(dirname "$(readlink -f -- "${BASH_SOURCE[0]}")")"
repo=$PWD
. "$repo/bin/busybox-bundle.sh"
(( EUID == 0 )) || { echo "demo.sh: run as root (a container runtime needs it)" >&2; exit 1; }

if [[ ! -x /bin/busybox ]] || ! dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed'; then
  echo "demo.sh: installing busybox-static"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null
fi

runtime=${DEMO_RUNTIME:-$repo/bin/capsa-runtime}
if [[ -z ${DEMO_RUNTIME-} ]]; then
  # Build unless the jar is newer than every source file.
  if [[ ! -f target/capsa.jar ]] || [[ -n $(find pom.xml src bin -newer target/capsa.jar -type f -print -quit) ]]; then
    echo "demo.sh: building (mvn -B -q package -DskipTests)"
    mvn -B -q package -DskipTests
  fi
fi

work=$(mktemp -d /tmp/capsa-demo.XXXXXX)
id=capsa-demo-$$
cgparent=/capsa-demo-$$
front=(--root "$work/store" --runroot "$work/run")
cleanup() {
  set +e
  "$runtime" --root "$work/state" delete --force "$id" >/dev/null 2>&1
  [[ -d $work/store ]] && "$repo/bin/capsa" "${front[@]}" rm -f -v $("$repo/bin/capsa" "${front[@]}" ps -aq 2>/dev/null) >/dev/null 2>&1
  # Anything the front end left mounted under the work dir (only after a failure), deepest first.
  awk -v w="$work/" 'index($2, w) == 1 { print $2 }' /proc/self/mounts | sort -r | xargs -r -n1 umount -l
  remove_cgroup "$cgparent/front"
  remove_cgroup "$cgparent"
  rm -rf "$work"
}
trap cleanup EXIT

# The rootfs: Debian's static busybox and its applets, nothing downloaded.
rootfs=$work/bundle/rootfs
busybox_rootfs "$rootfs"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\n' > "$rootfs/etc/group"

# What the container runs: it looks at itself.
cat > "$rootfs/demo" <<'SH'
#!/bin/sh
echo "== processes: the container's own PID namespace, this shell is PID $$"
ps -o pid,user,args
echo
echo "== hostname: $(hostname)"
echo
echo "== network: a new network namespace, loopback only"
ip -o link | cut -d' ' -f2,3
echo
echo "== mounts (/proc/self/mountinfo: mount point, fs type, options)"
awk '{ for (i = 7; $i != "-"; i++); printf "  %-22s %-8s %s\n", $5, $(i+1), $6 }' /proc/self/mountinfo
echo
echo "== cgroup: $(grep -E ':(memory|pids):|^0::' /proc/self/cgroup | tr '\n' ' ')"
if [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then          # cgroup v1
  echo "memory.limit_in_bytes = $(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"
  echo "pids.max              = $(cat /sys/fs/cgroup/pids/pids.max)"
elif [ -f /sys/fs/cgroup/memory.max ]; then                          # cgroup v2
  echo "memory.max = $(cat /sys/fs/cgroup/memory.max)"
  echo "pids.max   = $(cat /sys/fs/cgroup/pids.max)"
else
  echo "(no cgroup files visible in the container)"
fi
SH
chmod +x "$rootfs/demo"

# config.json: runc's default spec with the demo's args, hostname and limits (64 MiB memory, 32 pids).
default_config --version 1.2.0 --args '"/demo"' --root rootfs --hostname capsa-demo --cgroup "$cgparent/demo" \
  --resources '"memory": {"limit": 67108864}, "pids": {"limit": 32}' > "$work/bundle/config.json"

echo "demo.sh: $runtime run --bundle $work/bundle $id"
echo
rc=0
"$runtime" --root "$work/state" run --bundle "$work/bundle" "$id" </dev/null || rc=$?
echo
echo "demo.sh: container exited with status $rc"
(( rc == 0 )) || exit $rc
[[ -z ${DEMO_RUNTIME-} ]] || exit 0

# The front end (docker's command line): an image made here from the host's busybox, loaded offline into a
# private store under the work dir, run with limits, a user from the image's /etc/passwd and a read-only root.
echo
echo "== the front end: bin/capsa ${front[*]} load / run / images"
"$repo/bin/busybox-image.sh" "$work/busybox.tar"
"$repo/bin/capsa" "${front[@]}" load -i "$work/busybox.tar"
set -x
"$repo/bin/capsa" "${front[@]}" run --rm --cgroup-parent "$cgparent/front" -m 64m --pids-limit 32 -u www-data \
  --read-only --hostname front-demo localhost/busybox \
  sh -c 'id; hostname; echo "memory limit: $(cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory.max 2>/dev/null)"; touch /x' \
  || rc=$?
{ set +x; } 2>/dev/null
echo "demo.sh: the container exited with status $rc (touch on the read-only root fails, as it should)"
"$repo/bin/capsa" "${front[@]}" images
echo
echo "demo.sh: removing the bundle, image store, state and cgroups"
exit 0
