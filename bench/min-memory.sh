#!/bin/bash
# The smallest memory limit (linux.resources.memory.limit, swap = limit) under which `RUNTIME run` of
# /bin/true still succeeds, for capsa-runtime, runc and crun: a bisection in 64 KiB steps between 64 KiB and
# 64 MiB, each probe run twice (both must succeed).
#
#   bench/min-memory.sh [RUNTIME...]          (default: capsa runc crun)
#
# What is charged to the container's memory cgroup is what its processes allocate after they joined it: for
# capsa the native stage's child (joined at its first sync) and then /bin/true; the JVM never joins. Runs
# in a private mount namespace without /sys/fs/cgroup/unified (crun refuses the hybrid layout), with the
# absolute cgroupsPath /capsa-bench-mem-<random>/..., removed at the end.
set -euo pipefail
here=$(readlink -f -- "${BASH_SOURCE[0]}"); repo=${here%/bench/*}
(( $# )) || set -- capsa runc crun
(( EUID == 0 )) || { echo "min-memory: needs root" >&2; exit 1; }
if [[ -z ${MIN_MEM_IN_NS-} ]] && mountpoint -q /sys/fs/cgroup/unified; then
  export MIN_MEM_IN_NS=1
  exec unshare -m --propagation private "$here" "$@"
fi
[[ -n ${MIN_MEM_IN_NS-} ]] && umount /sys/fs/cgroup/unified

work=$(mktemp -d /tmp/capsa-minmem.XXXXXX)
parent=/capsa-bench-mem-$RANDOM
cleanup() {
  for h in /sys/fs/cgroup/*/; do
    [[ -d $h$parent ]] && find "$h$parent" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/rootfs/"{bin,proc,sys,dev,tmp}
cp /bin/busybox "$work/rootfs/bin/busybox"
ln -s busybox "$work/rootfs/bin/true"

n=0
# probe RUNTIME BYTES: true if /bin/true runs under that limit (twice)
probe() {
  local bin=$1 limit=$2 i
  for i in 1 2; do
    n=$((n + 1))
    cat > "$work/config.json" <<JSON
{"ociVersion":"1.0.2","process":{"user":{"uid":0,"gid":0},"args":["/bin/true"],"cwd":"/",
 "env":["PATH=/bin"],"capabilities":{"bounding":["CAP_KILL"],"effective":["CAP_KILL"],"permitted":["CAP_KILL"]}},
 "root":{"path":"$work/rootfs","readonly":true},"hostname":"m",
 "mounts":[{"destination":"/proc","type":"proc","source":"proc"},
  {"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","strictatime","mode=755","size=65536k"]}],
 "linux":{"namespaces":[{"type":"pid"},{"type":"mount"},{"type":"ipc"},{"type":"uts"},{"type":"network"}],
  "cgroupsPath":"$parent/m$n","resources":{"memory":{"limit":$limit,"swap":$limit}}}}
JSON
    if ! (cd "$work" && timeout 60 "$bin" --root "$work/state" run "m$n" >/dev/null 2>&1); then
      "$bin" --root "$work/state" delete --force "m$n" >/dev/null 2>&1 || true
      return 1
    fi
  done
}

for r in "$@"; do
  case $r in
    capsa) bin=$repo/bin/capsa-runtime ;;
    *) bin=$(command -v "$r") || { echo "min-memory: $r not found" >&2; exit 1; } ;;
  esac
  lo=1 hi=1024 # in 64 KiB units: 64 KiB .. 64 MiB
  if ! probe "$bin" $((hi * 65536)); then echo "$r: fails even with 64 MiB"; continue; fi
  while (( hi - lo > 1 )); do
    mid=$(((lo + hi) / 2))
    if probe "$bin" $((mid * 65536)); then hi=$mid; else lo=$mid; fi
  done
  printf '%-6s smallest memory.limit that runs /bin/true: %d KiB\n' "$r" $((hi * 64))
done
