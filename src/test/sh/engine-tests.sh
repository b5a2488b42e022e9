#!/bin/bash
# engine-tests.sh: bin/capsa-runtime in place of runc under real engines (podman, containerd's ctr, Docker).
#
#   src/test/sh/engine-tests.sh [--runtime PATH] [--engines podman,containerd,docker] [--timeout SECONDS]
#
# Needs root. Installs nothing: an engine that is not installed is skipped (Debian: apt-get install -y podman
# containerd docker.io). Everything runs privately: podman with its own --root/--runroot/--tmpdir and a
# containers.conf of its own, a containerd of its own (config, root, state, sockets under a temporary directory)
# and a dockerd of its own on that containerd (--data-root, --exec-root, -H unix://..., --pidfile, no bridge, no
# iptables). No container gets a network but its own loopback (--network none; ctr: no CNI); the host's links,
# routes and iptables rules are compared before and after. Containers go below a cgroup parent of this run's own
# (/capsa-engines-XXXX). The image is built offline from the host's busybox-static (bin/busybox-image.sh).
# --runtime runs the same cases with another runtime (e.g. /usr/sbin/runc: the reference the cases were written
# against). Prints one PASS/FAIL/SKIP line per case and a last line "N passed, N failed, N skipped"; exits 1 if a
# case failed. Cleans up on every exit (trap): containers, the daemons it started (by PID), mounts, cgroups,
# storage directories, and the host paths the engines create if they were not there before.
set -u
set -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
RUNTIME=$REPO/bin/capsa-runtime
ENGINES=podman,containerd,docker
TIMEOUT=${ENGINE_TESTS_TIMEOUT:-1800}
CMD_TIMEOUT=${ENGINE_TESTS_CMD_TIMEOUT:-120}

while [ $# -gt 0 ]; do
  case $1 in
    --runtime) RUNTIME=$(readlink -f "$2"); shift 2 ;;
    --engines) ENGINES=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "engine-tests.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

[ "$(id -u)" = 0 ] || { echo "engine-tests.sh: needs root" >&2; exit 2; }
[ -x "$RUNTIME" ] || { echo "engine-tests.sh: $RUNTIME is not executable (build first: mvn -B package -DskipTests)" >&2; exit 2; }
if [ "$RUNTIME" = "$REPO/bin/capsa-runtime" ] && [ ! -f "$REPO/target/capsa.jar" ]; then
  echo "engine-tests.sh: $REPO/target/capsa.jar is missing (build first: mvn -B package -DskipTests)" >&2; exit 2
fi
RT_NAME=$(basename "$RUNTIME")

T=$(mktemp -d /tmp/capsa-engines.XXXXXX)
chmod 711 "$T"
CGP=/capsa-engines-${T##*.}
NPASS=0 NFAIL=0 NSKIP=0
STARTED=$SECONDS
CTD_PID= DOCKERD_PID= WATCHDOG_PID=
CTD_SOCK=$T/ctd/containerd.sock
DK_SOCK=$T/dk/docker.sock
IMAGE=localhost/busybox:latest

# ---- reporting ----
pass() { echo "PASS $1"; NPASS=$((NPASS + 1)); }
fail() { echo "FAIL $1: $2"; NFAIL=$((NFAIL + 1)); }
skip() { echo "SKIP $1: $2"; NSKIP=$((NSKIP + 1)); }

OUT= RC= REASON=
# x WANT_RC CMD...: runs CMD (with a timeout), keeps its stdout+stderr in OUT and status in RC; returns 1 with
# REASON set if the status is not WANT_RC ("any" takes every status)
x() {
  local want=$1; shift
  OUT=$(timeout -k 5 "$CMD_TIMEOUT" "$@" 2>&1)
  RC=$?
  if [ "$want" != any ] && [ "$RC" != "$want" ]; then
    REASON="'$*' exited $RC, wanted $want: $(tail -c 600 <<<"$OUT" | tr '\n\r' '| ')"
    return 1
  fi
  return 0
}
# has REGEX...: every extended regex matches a line of OUT
has() {
  local re
  for re in "$@"; do
    grep -Eq -- "$re" <<<"$OUT" || { REASON="no line matches /$re/ in: $(tail -c 600 <<<"$OUT" | tr '\n\r' '| ')"; return 1; }
  done
}
# eq WANT GOT WHAT
eq() { [ "$1" = "$2" ] || { REASON="$3: wanted '$1', got '$2'"; return 1; }; }

# tcase NAME FUNCTION: runs the case in this shell, one PASS or FAIL line
tcase() {
  local name=$1 fn=$2 t0=$SECONDS
  REASON=
  if "$fn"; then pass "$name ($((SECONDS - t0)) s)"; else fail "$name" "${REASON:-failed}"; fi
}

# a python helper that runs a command on a pty of 40 rows x 100 columns and types into it
cat > "$T/ptyrun.py" <<'PY'
import os, pty, sys, time, select, struct, fcntl, termios, signal
# ptyrun.py INPUT CMD...: chunks of INPUT separated by "|": the first once a '#' prompt shows (or after 15 s), the
# next 2 s apart; prints all output; exits with CMD's status, 124 if it did not end in $PTY_TIMEOUT s (killed)
chunks = [c.encode().decode('unicode_escape').encode('latin-1') for c in sys.argv[1].split('|')]
timeout = float(os.environ.get('PTY_TIMEOUT', '60'))
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 40, 100, 0, 0))
start = time.time(); out = b''; nxt = 0; last = None
while time.time() < start + timeout:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            d = os.read(fd, 4096)
        except OSError:
            break
        if not d: break
        out += d
    if nxt < len(chunks):
        ready = (b'#' in out or time.time() > start + 15) if nxt == 0 else time.time() > last + 2
        if ready:
            os.write(fd, chunks[nxt]); nxt += 1; last = time.time()
sys.stdout.write(out.decode(errors='replace').replace('\r', '')); sys.stdout.flush()
for _ in range(100):
    p, st = os.waitpid(pid, os.WNOHANG)
    if p: sys.exit(os.waitstatus_to_exitcode(st))
    time.sleep(0.1)
os.kill(pid, signal.SIGKILL); os.waitpid(pid, 0); sys.exit(124)
PY
mkdir -p "$T/bin"
printf '#!/bin/sh\nPTY_TIMEOUT=${PTY_TIMEOUT:-60} exec python3 %s/ptyrun.py "$@"\n' "$T" > "$T/bin/pty"
chmod +x "$T/bin/pty"
# the engines' command lines are small scripts in $T/bin (pm, ctrx, dk): timeout and the pty helper run them
PATH=$T/bin:$PATH

# ---- the host, before ----
host_net() {
  ip -o link show | awk -F': ' '{print $2}' | sort
  ip route show table all 2>/dev/null | sort
  command -v iptables-save >/dev/null && iptables-save 2>/dev/null | grep -v '^#' | sed 's/\[[0-9:]*\]//'
  command -v ip6tables-save >/dev/null && ip6tables-save 2>/dev/null | grep -v '^#' | sed 's/\[[0-9:]*\]//'
  sysctl -n net.ipv4.ip_forward net.ipv6.conf.all.forwarding 2>/dev/null
}
host_net > "$T.host-net.before"
# paths on the host that the engines create whatever their flags: removed at the end if they were not there
HOST_PATHS=(/etc/docker/key.json /run/docker /run/containerd /run/containers /var/lib/containers /var/lib/containerd)
NEW_HOST_PATHS=()
for p in "${HOST_PATHS[@]}"; do [ -e "$p" ] || NEW_HOST_PATHS+=("$p"); done

# ---- cleanup ----
cgroup_dirs() { local h; for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do [ -d "$h${CGP#/}" ] && echo "$h${CGP#/}"; done; }
# processes our daemons started that may outlive them (conmon, containerd's shims): by the pid files they
# write below this run's own directory (conmon.pid, shim.pid, the containers' pidfile), never by name
our_pids() {
  local f p
  find "$T" -type f \( -name '*.pid' -o -name pidfile \) 2>/dev/null | while read -r f; do
    read -r p < "$f" 2>/dev/null || continue
    [[ $p =~ ^[0-9]+$ ]] && [ "$p" != $$ ] && [ -d "/proc/$p" ] && echo "$p"
  done
}
stop_pid() { # PID NAME: TERM, up to 30 s, then KILL
  local pid=$1 i
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for i in $(seq 60); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
  echo "engine-tests.sh: $2 ($pid) did not stop on SIGTERM: SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null; sleep 0.5
}
CLEANED=
cleanup() {
  [ -n "$CLEANED" ] && return
  CLEANED=1
  trap - EXIT INT TERM HUP
  [ -n "$WATCHDOG_PID" ] && kill "$WATCHDOG_PID" 2>/dev/null
  local c d p m i leftover=
  # containers, through their engines
  if [ -n "$DOCKERD_PID" ] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
    for c in $(timeout 60 dk ps -aq 2>/dev/null); do timeout 60 dk rm -f "$c" >/dev/null 2>&1; done
  fi
  if [ -n "$CTD_PID" ] && kill -0 "$CTD_PID" 2>/dev/null; then
    for c in $(timeout 30 ctrx tasks ls -q 2>/dev/null); do timeout 30 ctrx tasks kill -s SIGKILL "$c" >/dev/null 2>&1; done
    sleep 1
    for c in $(timeout 30 ctrx tasks ls -q 2>/dev/null); do timeout 30 ctrx tasks rm -f "$c" >/dev/null 2>&1; done
    for c in $(timeout 30 ctrx containers ls -q 2>/dev/null); do timeout 30 ctrx containers rm "$c" >/dev/null 2>&1; done
  fi
  if [ -x "$T/bin/pm" ]; then
    timeout 120 pm rm -af -t 0 >/dev/null 2>&1
  fi
  # the daemons this script started, by PID
  stop_pid "$DOCKERD_PID" dockerd
  stop_pid "$CTD_PID" containerd
  # thaw and kill what is left in our cgroups (paused containers included), then the shims and monitors
  for d in $(cgroup_dirs); do
    find "$d" -name freezer.state 2>/dev/null | while read -r f; do echo THAWED > "$f" 2>/dev/null; done
    find "$d" -name cgroup.freeze 2>/dev/null | while read -r f; do echo 0 > "$f" 2>/dev/null; done
    for p in $(cat $(find "$d" -name cgroup.procs) 2>/dev/null); do kill -KILL "$p" 2>/dev/null && leftover=1; done
  done
  for p in $(our_pids); do kill -KILL "$p" 2>/dev/null && leftover=1; done
  [ -n "$leftover" ] && { echo "engine-tests.sh: killed processes left behind" >&2; sleep 1; }
  # mounts below our directory, deepest first
  for i in 1 2 3; do
    for m in $(awk -v t="$T/" 'index($5, t) == 1 {print $5}' /proc/self/mountinfo | sort -r); do umount -l "$m" 2>/dev/null; done
  done
  # cgroups, deepest first (a cgroup whose last process just died may take a moment to empty)
  for i in $(seq 20); do
    for d in $(cgroup_dirs); do find "$d" -depth -type d -exec rmdir {} + 2>/dev/null; done
    [ -z "$(cgroup_dirs)" ] && break
    sleep 0.5
  done
  [ -n "$(cgroup_dirs)" ] && echo "engine-tests.sh: cgroups left: $(cgroup_dirs | tr '\n' ' ')" >&2
  for p in "${NEW_HOST_PATHS[@]}"; do rm -rf --one-file-system "$p" 2>/dev/null; done
  if awk -v t="$T/" 'index($5, t) == 1' /proc/self/mountinfo | grep -q .; then
    echo "engine-tests.sh: mounts left below $T (not removed):" >&2
    awk -v t="$T/" 'index($5, t) == 1 {print "  " $5}' /proc/self/mountinfo >&2
  else
    rm -rf --one-file-system "$T"
  fi
}
on_signal() {
  echo "engine-tests.sh: interrupted ($1)" >&2
  fail "engine-tests" "interrupted by $1 (timeout ${TIMEOUT} s?)"
  cleanup
  rm -f "$T.host-net.before"
  echo "$NPASS passed, $NFAIL failed, $NSKIP skipped"
  exit 124
}
trap cleanup EXIT
trap 'on_signal SIGINT' INT
trap 'on_signal SIGTERM' TERM
trap 'on_signal SIGHUP' HUP
# the whole run's timeout: SIGTERM to this script, whose trap cleans up
# (its sleep is killed with it, and it holds none of our output open: a pipe reading us ends with us)
( trap 'kill $s 2>/dev/null; exit 0' TERM; sleep "$TIMEOUT" & s=$!; wait $s && kill -TERM $$ ) >/dev/null 2>&1 &
WATCHDOG_PID=$!

"$REPO/bin/busybox-image.sh" "$T/busybox.tar" "$IMAGE" >/dev/null || { echo "engine-tests.sh: cannot build the image" >&2; exit 2; }
echo "# runtime $RUNTIME, cgroup parent $CGP, work dir $T"

want() { local e; for e in "$@"; do [[ ",$ENGINES," == *",$e,"* ]] || return 1; done; }
installed() { local c; for c in "$@"; do command -v "$c" >/dev/null || return 1; done; }

# ======================================================================================== podman
pm_state() { pm inspect -f "{{.State.$2}}" "$1" 2>&1; }

p_run() {
  x 0 pm run --rm --network none "$IMAGE" sh -c 'echo hello; cat /proc/1/cmdline | tr "\0" " "; echo; cat /proc/self/cgroup' || return
  has '^hello$' "^[0-9]+:pids:$CGP/libpod-[0-9a-f]{64}$"
}
p_loopback() {
  x 0 pm run --rm --network none "$IMAGE" sh -c 'ls /sys/class/net; cat /sys/class/net/lo/flags; ip -o addr show lo' || return
  eq lo "$(head -1 <<<"$OUT")" "interfaces" && eq 0x9 "$(sed -n 2p <<<"$OUT")" "lo flags (IFF_UP|IFF_LOOPBACK)" && has 'inet 127\.0\.0\.1/8'
}
p_limits() {
  x 0 pm run --rm --network none -m 64m --pids-limit 32 --cpus 0.5 "$IMAGE" sh -c '
    if [ -f /sys/fs/cgroup/cgroup.controllers ]; then cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max /sys/fs/cgroup/cpu.max
    else cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us; fi' || return
  has '^67108864$' '^32$' '^(50000 100000|50000)$'
}
p_exit_codes() {
  x 42 pm run --rm --network none "$IMAGE" sh -c 'exit 42' || return
  x 127 pm run --rm --network none "$IMAGE" /nonexistent || return
  x 127 pm run --rm --network none "$IMAGE" nosuchcommand || return
  x 126 pm run --rm --network none "$IMAGE" /etc/passwd || return
  x 126 pm run --rm --network none -w /no/such/dir "$IMAGE" pwd
}
p_stdin() {
  OUT=$(printf 'one\ntwo\n' | timeout "$CMD_TIMEOUT" pm run --rm -i --network none "$IMAGE" sh -c 'wc -l; echo to-stderr >&2' 2>&1)
  RC=$?
  eq 0 "$RC" "exit status" && has '^2$' '^to-stderr$'
}
p_detached() {
  x 0 pm run -d --network none --name p-det "$IMAGE" sh -c 'trap "echo got-term; exit 3" TERM; echo started; while true; do sleep 0.2; done' || return
  x 0 pm exec p-det sh -c 'echo in-exec; tr "\\0" " " < /proc/1/cmdline' && has '^in-exec$' || return
  x 7 pm exec p-det sh -c 'exit 7' || return
  x 0 pm exec -u 33:33 -w /tmp -e FOO=bar p-det sh -c 'id -u; id -g; pwd; echo $FOO' && has '^33$' '^/tmp$' '^bar$' || return
  x 0 pm top p-det && has 'sh -c trap' || return
  eq "running true" "$(pm_state p-det Status) $(pm_state p-det Running)" "state" || return
  x 0 pm ps --format '{{.Names}} {{.Status}}' && has '^p-det Up' || return
  x 0 pm stop -t 10 p-det || return
  eq "exited 3" "$(pm_state p-det Status) $(pm_state p-det ExitCode)" "state after stop" || return
  x 0 pm logs p-det && has '^started$' '^got-term$' || return
  x 0 pm rm p-det
}
p_exec_detached() {
  x 0 pm run -d --network none --name p-exd "$IMAGE" sleep 600 || return
  x 0 pm exec -d p-exd sh -c 'echo detached > /tmp/marker' || return
  local i; for i in $(seq 20); do x any pm exec p-exd cat /tmp/marker; [ "$OUT" = detached ] && break; sleep 0.5; done
  eq detached "$OUT" "the detached exec's file" || return
  x 0 pm rm -f -t 0 p-exd
}
p_pause() {
  x 0 pm run -d --network none --name p-pause "$IMAGE" sh -c 'i=0; while true; do i=$((i+1)); echo $i > /tmp/n; sleep 0.1; done' || return
  x 0 pm pause p-pause || return
  eq "paused true" "$(pm_state p-pause Status) $(pm_state p-pause Paused)" "state" || return
  local id; id=$(pm inspect -f '{{.Id}}' p-pause)
  if [ -f /sys/fs/cgroup/freezer/$CGP/libpod-$id/freezer.state ]; then
    eq FROZEN "$(cat /sys/fs/cgroup/freezer/$CGP/libpod-$id/freezer.state)" "freezer.state" || return
  fi
  x 0 pm unpause p-pause || return
  eq running "$(pm_state p-pause Status)" "state" || return
  x 0 pm exec p-pause cat /tmp/n; local a=$OUT; sleep 1
  x 0 pm exec p-pause cat /tmp/n; local b=$OUT
  [ "$b" -gt "$a" ] 2>/dev/null || { REASON="the counter did not go on after unpause: $a then $b"; return 1; }
  x 0 pm rm -f -t 0 p-pause
}
p_kill() {
  x 0 pm run -d --network none --name p-kill "$IMAGE" sh -c 'trap "echo usr1 >> /tmp/sig" USR1; while true; do sleep 0.2; done' || return
  x 0 pm kill -s USR1 p-kill || return
  local i; for i in $(seq 20); do x any pm exec p-kill cat /tmp/sig; [ "$OUT" = usr1 ] && break; sleep 0.5; done
  eq usr1 "$OUT" "the trapped signal" || return
  x 0 pm kill p-kill || return
  for i in $(seq 20); do [ "$(pm_state p-kill Status)" = exited ] && break; sleep 0.5; done
  eq "exited 137" "$(pm_state p-kill Status) $(pm_state p-kill ExitCode)" "state after kill" || return
  x 0 pm rm p-kill
}
p_restart() {
  x 0 pm run -d --network none --name p-rst "$IMAGE" sleep 600 || return
  local p1; p1=$(pm_state p-rst Pid)
  x 0 pm restart -t 1 p-rst || return
  local p2; p2=$(pm_state p-rst Pid)
  eq running "$(pm_state p-rst Status)" "state after restart" || return
  [ "$p1" != "$p2" ] || { REASON="same pid $p1 after restart"; return 1; }
  x 0 pm rm -f -t 0 p-rst
}
p_tty() {
  x 5 pty 'sleep 2; tty; stty size; exit 5\n' pm run --rm -it --network none "$IMAGE" sh || return
  has '^/dev/pts/0$' '^40 100$'
}
p_exec_tty() {
  x 0 pm run -d --network none --name p-etty "$IMAGE" sleep 600 || return
  x 6 pty 'sleep 2; tty; stty size; exit 6\n' pm exec -it p-etty sh || return
  has '^/dev/pts/[0-9]+$' '^40 100$' || return
  x 0 pm rm -f -t 0 p-etty
}
p_userns() {
  x 0 pm run --rm --network none --uidmap 0:200000:65536 --gidmap 0:200000:65536 "$IMAGE" sh -c 'cat /proc/self/uid_map; id -u' || return
  has '^ +0 +200000 +65536$' '^0$'
}

if want podman; then
  if ! installed podman; then
    skip podman "not installed (apt-get install -y podman)"
  else
    mkdir -p "$T/pm"
    cat > "$T/pm/containers.conf" <<EOF
[containers]
# root here lacks CAP_SYS_RESOURCE: podman's defaults (nofile 1048576) would fail with runc too
default_ulimits = ["nofile=20000:20000", "nproc=20000:20000"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime_supports_json = ["crun", "runc", "capsa-runtime", "$RT_NAME"]
EOF
    # the runtime's state below $T: a wrapper of the same name that adds --root (podman's --runtime-flag does not
    # reach the runtime calls of "podman container cleanup", which conmon runs when a container exits)
    mkdir -p "$T/pm-rt"
    printf '#!/bin/sh\nexec %s --root %s/pm-state "$@"\n' "$RUNTIME" "$T" > "$T/pm-rt/$RT_NAME"
    chmod +x "$T/pm-rt/$RT_NAME"
    # every container of this run below our cgroup parent
    cat > "$T/bin/pm" <<EOF
#!/bin/bash
sub=\$1; shift
case \$sub in run|create) set -- "\$sub" --cgroup-parent "$CGP" "\$@" ;; *) set -- "\$sub" "\$@" ;; esac
CONTAINERS_CONF="$T/pm/containers.conf" exec podman --root "$T/pm-root" --runroot "$T/pm-runroot" \\
  --tmpdir "$T/pm-tmp" --runtime "$T/pm-rt/$RT_NAME" --cgroup-manager cgroupfs \\
  --events-backend file "\$@"
EOF
    chmod +x "$T/bin/pm"
    if x 0 pm load -i "$T/busybox.tar"; then
      tcase "podman: run --rm echo" p_run
      tcase "podman: lo up with --network none" p_loopback
      tcase "podman: -m --pids-limit --cpus read inside" p_limits
      tcase "podman: exit codes (42, 127, 126)" p_exit_codes
      tcase "podman: -i stdin" p_stdin
      tcase "podman: run -d, exec, top, ps, stop, logs, rm" p_detached
      tcase "podman: exec -d" p_exec_detached
      tcase "podman: pause, unpause" p_pause
      tcase "podman: kill -s, kill" p_kill
      tcase "podman: restart" p_restart
      tcase "podman: run -it (tty)" p_tty
      tcase "podman: exec -it (tty)" p_exec_tty
      tcase "podman: --uidmap (user namespace)" p_userns
    else
      fail "podman: load" "$REASON"
    fi
    timeout 120 pm rm -af -t 0 >/dev/null 2>&1
  fi
fi

# ======================================================================================== containerd
CTD_OK=
start_containerd() {
  mkdir -p "$T/ctd"
  cat > "$T/ctd/config.toml" <<EOF
version = 2
root = "$T/ctd/root"
state = "$T/ctd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$CTD_SOCK"
[ttrpc]
  address = "$CTD_SOCK.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
EOF
  containerd --config "$T/ctd/config.toml" > "$T/ctd/containerd.log" 2>&1 &
  CTD_PID=$!
  local i
  for i in $(seq 60); do
    [ -S "$CTD_SOCK" ] && ctr -a "$CTD_SOCK" version >/dev/null 2>&1 && break
    kill -0 "$CTD_PID" 2>/dev/null || break
    sleep 0.5
  done
  printf '#!/bin/sh\nexec ctr -a %s -n capsa-engines "$@"\n' "$CTD_SOCK" > "$T/bin/ctrx"
  chmod +x "$T/bin/ctrx"
  ctr -a "$CTD_SOCK" version >/dev/null 2>&1 || { REASON="containerd did not start: $(tail -5 "$T/ctd/containerd.log")"; return 1; }
  x 0 ctrx images import "$T/busybox.tar"
}
# cr ID ARGS... CMD: ctr run with our runtime, our runc root and cgroup, no network but lo (no CNI)
cr_opts() { echo --runc-binary "$RUNTIME" --runc-root "$T/ctd/runc-root" --fifo-dir "$T/ctd/fifo" --cgroup "$CGP/$1"; }
c_run() {
  x 4 ctrx run --rm $(cr_opts c-run) "$IMAGE" c-run sh -c 'echo hello; ls /sys/class/net; cat /sys/class/net/lo/flags; cat /proc/self/cgroup; exit 4' || return
  has '^hello$' '^lo$' '^0x9$' "^[0-9]+:pids:$CGP/c-run$"
}
c_exit_codes() {
  x any ctrx run --rm $(cr_opts c-nf) "$IMAGE" c-nf /nonexistent
  [ "$RC" != 0 ] && has 'no such file or directory' || return
  ctrx containers rm c-nf >/dev/null 2>&1
  return 0
}
c_task() {
  x 0 ctrx run -d $(cr_opts c-task) "$IMAGE" c-task sh -c 'trap "echo term; exit 9" TERM; while true; do sleep 0.2; done' || return
  x 0 ctrx tasks ls && has '^c-task +[0-9]+ +RUNNING' || return
  x 5 ctrx tasks exec --exec-id e1 c-task sh -c 'echo in-exec; exit 5' && has '^in-exec$' || return
  x 0 ctrx tasks ps c-task || return
  [ "$(grep -cE '^[0-9]+ ' <<<"$OUT")" -ge 1 ] || { REASON="tasks ps lists no pid: $OUT"; return 1; }
  x 0 ctrx tasks pause c-task || return
  x 0 ctrx tasks ls && has '^c-task +[0-9]+ +PAUSED' || return
  x 0 ctrx tasks resume c-task || return
  x 0 ctrx tasks ls && has '^c-task +[0-9]+ +RUNNING' || return
  x 0 ctrx tasks metrics c-task && has 'pids\.current|pids' || return
  x 0 ctrx tasks kill c-task || return
  local i; for i in $(seq 40); do x 0 ctrx tasks ls; grep -qE '^c-task +[0-9]+ +STOPPED' <<<"$OUT" && break; sleep 0.5; done
  has '^c-task +[0-9]+ +STOPPED' || return
  x any ctrx tasks rm c-task
  has 'exit code 9' || return
  x 0 ctrx containers rm c-task
}
c_kill_all() {
  x 0 ctrx run -d $(cr_opts c-kall) "$IMAGE" c-kall sh -c 'sleep 600 & sleep 600' || return
  x 0 ctrx tasks kill -a -s SIGKILL c-kall || return
  local i; for i in $(seq 40); do x 0 ctrx tasks ls; grep -qE '^c-kall +[0-9]+ +STOPPED' <<<"$OUT" && break; sleep 0.5; done
  has '^c-kall +[0-9]+ +STOPPED' || return
  x any ctrx tasks rm c-kall; x 0 ctrx containers rm c-kall
}
c_tty() {
  # ctr sets the window size only after start returns: let the size arrive before asking
  x 6 pty 'sleep 2; tty; stty size; exit 6\n' ctrx run --rm -t $(cr_opts c-tty) "$IMAGE" c-tty sh || return
  has '^/dev/pts/0$' '^40 100$'
}
c_exec_tty() {
  x 0 ctrx run -d $(cr_opts c-etty) "$IMAGE" c-etty sleep 600 || return
  x 7 pty 'sleep 2; tty; stty size; exit 7\n' ctrx tasks exec -t --exec-id e2 c-etty sh || return
  has '^/dev/pts/[0-9]+$' '^40 100$' || return
  x 0 ctrx tasks kill -s SIGKILL c-etty; sleep 1; x any ctrx tasks rm c-etty; x 0 ctrx containers rm c-etty
}

if want containerd || want docker; then
  if ! installed containerd ctr; then
    want containerd && skip containerd "not installed (apt-get install -y containerd)"
  elif start_containerd; then
    CTD_OK=1
    if want containerd; then
      tcase "containerd: ctr run --rm (exit code, lo up, cgroup)" c_run
      tcase "containerd: ctr run of a missing command fails" c_exit_codes
      tcase "containerd: run -d, tasks exec, ps, pause, resume, metrics, kill" c_task
      tcase "containerd: tasks kill --all" c_kill_all
      tcase "containerd: ctr run -t (tty)" c_tty
      tcase "containerd: tasks exec -t (tty)" c_exec_tty
    fi
  else
    fail "containerd: start" "$REASON"
  fi
fi

# ======================================================================================== docker
dk_state() { dk inspect -f "{{.State.$2}}" "$1" 2>&1; }
start_dockerd() {
  mkdir -p "$T/dk"
  cat > "$T/dk/daemon.json" <<EOF
{
  "runtimes": {"capsa": {"path": "$RUNTIME"}},
  "bridge": "none",
  "iptables": false,
  "ip6tables": false,
  "ip-forward": false,
  "ip-masq": false,
  "cgroup-parent": "$CGP",
  "exec-opts": ["native.cgroupdriver=cgroupfs"],
  "default-ulimits": {"nofile": {"Name": "nofile", "Soft": 20000, "Hard": 20000}}
}
EOF
  dockerd --config-file "$T/dk/daemon.json" --data-root "$T/dk/data" --exec-root "$T/dk/exec" -H "unix://$DK_SOCK" \
    --pidfile "$T/dk/docker.pid" --containerd "$CTD_SOCK" > "$T/dk/dockerd.log" 2>&1 &
  DOCKERD_PID=$!
  printf '#!/bin/sh\nexec docker -H unix://%s "$@"\n' "$DK_SOCK" > "$T/bin/dk"
  chmod +x "$T/bin/dk"
  local i
  for i in $(seq 120); do
    dk version >/dev/null 2>&1 && break
    kill -0 "$DOCKERD_PID" 2>/dev/null || break
    sleep 0.5
  done
  dk version >/dev/null 2>&1 || { REASON="dockerd did not start: $(tail -5 "$T/dk/dockerd.log")"; return 1; }
  x 0 dk load -i "$T/busybox.tar"
}
R=(--runtime capsa --network none)
d_run() {
  x 3 dk run --rm "${R[@]}" "$IMAGE" sh -c 'echo hello; ls /sys/class/net; cat /sys/class/net/lo/flags; cat /proc/self/cgroup; exit 3' || return
  has '^hello$' '^lo$' '^0x9$' "^[0-9]+:pids:$CGP/[0-9a-f]{64}$"
}
d_limits() {
  x 0 dk run --rm "${R[@]}" -m 64m --pids-limit 32 --cpus 0.5 "$IMAGE" sh -c '
    if [ -f /sys/fs/cgroup/cgroup.controllers ]; then cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max /sys/fs/cgroup/cpu.max
    else cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/cpu/cpu.cfs_quota_us; fi' || return
  has '^67108864$' '^32$' '^(50000 100000|50000)$'
}
d_exit_codes() {
  x 127 dk run --rm "${R[@]}" "$IMAGE" /nonexistent || return
  x 127 dk run --rm "${R[@]}" "$IMAGE" nosuchcommand || return
  x 126 dk run --rm "${R[@]}" "$IMAGE" /etc/passwd || return
  x 126 dk run --rm "${R[@]}" "$IMAGE" /tmp
}
d_stdin() {
  OUT=$(printf 'one\ntwo\n' | timeout "$CMD_TIMEOUT" dk run --rm -i "${R[@]}" "$IMAGE" sh -c 'wc -l; echo to-stderr >&2' 2>&1)
  RC=$?
  eq 0 "$RC" "exit status" && has '^2$' '^to-stderr$'
}
d_detached() {
  x 0 dk run -d "${R[@]}" --name d-det "$IMAGE" sh -c 'trap "echo got-term; exit 3" TERM; echo started; while true; do sleep 0.2; done' || return
  x 5 dk exec d-det sh -c 'echo in-exec; exit 5' && has '^in-exec$' || return
  x 0 dk exec -u 33 -w /tmp -e A=b d-det sh -c 'id -u; pwd; echo $A' && has '^33$' '^/tmp$' '^b$' || return
  x 126 dk exec d-det nosuchcommand || return
  OUT=$(echo piped | timeout "$CMD_TIMEOUT" dk exec -i d-det cat 2>&1); eq piped "$OUT" "exec -i" || return
  x 0 dk top d-det && has 'sh -c trap' || return
  x 0 dk stats --no-stream --format '{{.Name}} {{.PIDs}}' d-det && has '^d-det [0-9]+$' || return
  x 0 dk pause d-det && eq paused "$(dk_state d-det Status)" "state" || return
  x 0 dk unpause d-det && eq running "$(dk_state d-det Status)" "state" || return
  x 0 dk update --memory 128m --memory-swap 256m --pids-limit 40 d-det || return
  x 0 dk exec d-det sh -c 'cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max' || return
  has '^134217728$' '^40$' || return
  x 0 dk stop -t 10 d-det || return
  eq "exited 3" "$(dk_state d-det Status) $(dk_state d-det ExitCode)" "state after stop" || return
  x 0 dk logs d-det && has '^started$' '^got-term$' || return
  x 0 dk rm d-det
}
d_kill_restart() {
  x 0 dk run -d "${R[@]}" --name d-kr "$IMAGE" sleep 600 || return
  local p1; p1=$(dk_state d-kr Pid)
  x 0 dk restart -t 1 d-kr || return
  eq running "$(dk_state d-kr Status)" "state after restart" || return
  [ "$p1" != "$(dk_state d-kr Pid)" ] || { REASON="same pid after restart"; return 1; }
  x 0 dk kill d-kr || return
  eq "exited 137" "$(dk_state d-kr Status) $(dk_state d-kr ExitCode)" "state after kill" || return
  x 0 dk rm d-kr
}
d_tty() {
  x 6 pty 'sleep 2; tty; stty size; exit 6\n' dk run --rm -it "${R[@]}" "$IMAGE" sh || return
  has '^/dev/pts/0$' '^40 100$'
}
d_exec_tty() {
  x 0 dk run -d "${R[@]}" --name d-etty "$IMAGE" sleep 600 || return
  x 7 pty 'sleep 2; tty; stty size; exit 7\n' dk exec -it d-etty sh || return
  has '^/dev/pts/[0-9]+$' '^40 100$' || return
  x 0 dk rm -f d-etty
}
d_options() {
  mkdir -p "$T/vol" && echo host-file > "$T/vol/f"
  x 0 dk run --rm "${R[@]}" --init -v "$T/vol:/vol:ro" --tmpfs /run:size=1m --read-only --hostname hh \
    --sysctl kernel.msgmax=9000 --security-opt no-new-privileges "$IMAGE" sh -c '
      cat /vol/f; touch /vol/x; touch /x; grep -c " /run tmpfs" /proc/mounts; hostname; cat /proc/sys/kernel/msgmax
      grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status; cat /proc/1/comm' || return
  has '^host-file$' 'touch: /vol/x: Read-only file system' 'touch: /x: Read-only file system' '^1$' '^hh$' '^9000$' \
    'NoNewPrivs:\s+1' 'Seccomp:\s+2' '^docker-init$'
}
d_join() {
  x 0 dk run -d "${R[@]}" --ipc shareable --name d-join "$IMAGE" sleep 600 || return
  x 0 dk run --rm --runtime capsa --network container:d-join --pid container:d-join --ipc container:d-join "$IMAGE" \
    sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; stat -L -c %i /proc/1/ns/net /proc/self/ns/net /proc/1/ns/ipc /proc/self/ns/ipc' || return
  has '^sleep 600 $' || return
  local l; l=($(grep -E '^[0-9]+$' <<<"$OUT"))
  eq "${l[0]} ${l[2]}" "${l[1]} ${l[3]}" "net and ipc namespaces of pid 1 and of the new container" || return
  x 0 dk rm -f d-join
}

if want docker; then
  if ! installed dockerd docker; then
    skip docker "not installed (apt-get install -y docker.io)"
  elif [ -z "$CTD_OK" ]; then
    skip docker "needs the private containerd (not installed or did not start)"
  elif start_dockerd; then
    tcase "docker: run --rm (exit code, lo up, cgroup)" d_run
    tcase "docker: -m --pids-limit --cpus read inside" d_limits
    tcase "docker: exit codes (127, 126)" d_exit_codes
    tcase "docker: -i stdin" d_stdin
    tcase "docker: run -d, exec, top, stats, pause, unpause, update, stop, logs" d_detached
    tcase "docker: restart, kill" d_kill_restart
    tcase "docker: run -it (tty)" d_tty
    tcase "docker: exec -it (tty)" d_exec_tty
    tcase "docker: --init -v --tmpfs --read-only --sysctl no-new-privileges" d_options
    tcase "docker: --network/--pid/--ipc container:X" d_join
  else
    fail "docker: start" "$REASON"
  fi
fi

# ======================================================================================== the host, after
cleanup
host_net > "$T.host-net.after" 2>/dev/null
if ! diff -q "$T.host-net.before" "$T.host-net.after" >/dev/null 2>&1; then
  fail "host: network unchanged" "$(diff "$T.host-net.before" "$T.host-net.after" | head -10 | tr '\n' '|')"
fi
rm -f "$T.host-net.before" "$T.host-net.after"
echo "# took $((SECONDS - STARTED)) s"
echo "$NPASS passed, $NFAIL failed, $NSKIP skipped"
[ "$NFAIL" = 0 ]
