#!/bin/bash
# The demo command (README): builds Capsa and runs one container from a busybox rootfs, offline, as root.
# The container shows its own PID 1, hostname, network, mounts and cgroup limits (64 MiB memory, 32 pids),
# then everything is removed again. DEMO_RUNTIME=/usr/sbin/runc runs the same demo with another runtime.
set -euo pipefail
cd "$(dirname "$(readlink -f -- "${BASH_SOURCE[0]}")")"
repo=$PWD
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
cleanup() {
  set +e
  "$runtime" --root "$work/state" delete --force "$id" >/dev/null 2>&1
  for h in /sys/fs/cgroup/* /sys/fs/cgroup; do
    [[ -d $h$cgparent ]] && find "$h$cgparent" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT

# The rootfs: Debian's static busybox and its applets, nothing downloaded.
rootfs=$work/bundle/rootfs
mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root}
cp /bin/busybox "$rootfs/bin/busybox"
/bin/busybox --list-full | while read -r applet; do
  [[ -e $rootfs/$applet ]] || ln -s /bin/busybox "$rootfs/$applet"
done
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
cat > "$work/bundle/config.json" <<JSON
{
  "ociVersion": "1.2.0",
  "process": {
    "terminal": false,
    "user": {"uid": 0, "gid": 0},
    "args": ["/demo"],
    "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
    "cwd": "/",
    "capabilities": {
      "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "ambient": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    },
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
    "noNewPrivileges": true
  },
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "capsa-demo",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
    {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}
  ],
  "linux": {
    "cgroupsPath": "$cgparent/demo",
    "resources": {
      "devices": [{"allow": false, "access": "rwm"}],
      "memory": {"limit": 67108864},
      "pids": {"limit": 32}
    },
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}],
    "maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                    "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
    "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
  }
}
JSON

echo "demo.sh: $runtime run --bundle $work/bundle $id"
echo
rc=0
"$runtime" --root "$work/state" run --bundle "$work/bundle" "$id" </dev/null || rc=$?
echo
echo "demo.sh: container exited with status $rc; removing the bundle, state and cgroup"
exit $rc
