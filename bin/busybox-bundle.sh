# Shared bundle set-up for demo.sh, bench/ and the AOT training: a rootfs from the host's static busybox and runc's
# default config.json. Sourced, not executed; needs bash and /bin/busybox (Debian's busybox-static).

# busybox_rootfs DIR [APPLET...]: makes DIR a root filesystem of /bin/busybox with /proc, /sys, /dev and /tmp.
# With APPLETs: only those, as links bin/APPLET -> busybox. Without: every applet busybox lists, at its usual
# path (links to /bin/busybox), with /etc and /root too.
busybox_rootfs() {
  local dir=$1 applet
  shift
  mkdir -p "$dir"/{bin,proc,sys,dev,tmp}
  cp /bin/busybox "$dir/bin/busybox"
  if (( $# )); then
    for applet in "$@"; do ln -s busybox "$dir/bin/$applet"; done
    return
  fi
  mkdir -p "$dir"/{sbin,usr/bin,usr/sbin,etc,root}
  /bin/busybox --list-full | while read -r applet; do
    [[ -e $dir/$applet ]] || ln -s /bin/busybox "$dir/$applet"
  done
}

# default_config OPTION VALUE ...: prints runc's default config.json (`runc spec`) without a terminal, with:
#   --version V      ociVersion (required)
#   --args JSON      process.args, the JSON inside the brackets, e.g. '"/bin/true"' (required)
#   --root PATH      root.path, mounted read-only (required)
#   --hostname NAME  (required)
#   --cgroup PATH    linux.cgroupsPath (required)
#   --resources JSON linux.resources' members after the devices rule (deny all), e.g. '"pids": {"limit": 32}'
default_config() {
  local version='' args='' root='' hostname='' cgroup='' resources=''
  while (( $# )); do
    case $1 in
      --version) version=$2 ;;
      --args) args=$2 ;;
      --root) root=$2 ;;
      --hostname) hostname=$2 ;;
      --cgroup) cgroup=$2 ;;
      --resources) resources=$2 ;;
      *) echo "default_config: unknown option $1" >&2; return 2 ;;
    esac
    shift 2
  done
  [[ -n $version && -n $args && -n $root && -n $hostname && -n $cgroup ]] ||
    { echo "default_config: --version, --args, --root, --hostname and --cgroup are required" >&2; return 2; }
  cat <<JSON
{
  "ociVersion": "$version",
  "process": {
    "terminal": false,
    "user": {"uid": 0, "gid": 0},
    "args": [$args],
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
  "root": {"path": "$root", "readonly": true},
  "hostname": "$hostname",
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
    "cgroupsPath": "$cgroup",
    "resources": {
      "devices": [{"allow": false, "access": "rwm"}]${resources:+,
      $resources}
    },
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}],
    "maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                    "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
    "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
  }
}
JSON
}

# remove_cgroup PATH: removes the cgroup PATH (absolute, e.g. /capsa-demo-123) and everything below it on every
# hierarchy (v1 controllers and a v2 root); quiet where it is absent or still busy.
remove_cgroup() {
  local h
  for h in /sys/fs/cgroup/* /sys/fs/cgroup; do
    [[ -d $h$1 ]] && find "$h$1" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  return 0
}

# delete_containers RUNTIME STATE_ROOT: `RUNTIME --root STATE_ROOT delete --force` of every container there
# (a state directory a container), quietly: the benchmarks' clean-up after a failed round.
delete_containers() {
  local s
  for s in "$2"/*/; do
    [[ -d $s ]] && "$1" --root "$2" delete --force "$(basename "$s")" >/dev/null 2>&1
  done
  return 0
}
