#!/bin/bash
# Per-command cost of the runtimes' command lines: CPU time (user + sys) and wall time, medians, side by side
# for capsa-runtime, runc and crun (or other builds of capsa-runtime, to compare two of them).
#
#   bench/startup.sh [-n ROUNDS] [-w WARMUP] [-f] [-o RAW] [RUNTIME...]   (default: -n 11 -w 2 capsa runc crun)
#
# RUNTIME: capsa (this tree's bin/capsa-runtime), runc, crun, or the path of a capsa-runtime/runc-like binary
# (e.g. a copy of another build's tree: /tmp/old/bin/capsa-runtime; it is shown by its directory's name).
#
# Commands timed (each round, on the same busybox bundle for every runtime, a fresh container id per round):
#   version  RUNTIME --version
#   create   RUNTIME --root S create --bundle B ID      (process: sleep 3600; no terminal)
#   state    RUNTIME --root S state ID                  (of the created container)
#   start    RUNTIME --root S start ID
#   kill     RUNTIME --root S kill ID KILL               (then, untimed, wait until the process is gone)
#   delete   RUNTIME --root S delete ID
#   run      RUNTIME --root S run --bundle B2 ID2        (of /bin/true: create + start + wait + delete)
#   front    with -f, for a capsa-runtime that has bin/capsa beside it: capsa --root R --runroot RR run --rm
#            localhost/busybox true (image from bin/busybox-image.sh, loaded untimed into a store of its own)
#
# Paired and interleaved: every step is run by every runtime before the next step, the first runtime rotating
# from round to round, so a change of load on the machine hits all runtimes alike. CPU time is the steadier
# measure on a shared machine; wall time is what an engine waits for.
#
# Measured with bench/rtime.c (compiled here with cc): wall time around fork+exec+wait of the command, and
# wait4()'s rusage in microseconds: the command and the descendants it waited for. Not counted: processes
# that outlive the command (runc's `runc init` waiting in a created container, capsa's monitor or the
# container itself), for all runtimes alike. -o RAW keeps the raw lines "runtime command wall user sys rss".
#
# crun 1.8 refuses this machine's hybrid cgroup layout (v1 controllers + cgroup2 at /sys/fs/cgroup/unified),
# so, as bench/run-true.sh, the script re-executes itself in a private mount namespace without that mount.
# Containers use the absolute cgroupsPath /capsa-startup-<random>/..., removed at the end; state lives in
# temporary --root directories, removed at the end.
set -euo pipefail
here=$(readlink -f -- "${BASH_SOURCE[0]}"); repo=${here%/bench/*}
. "$repo/bin/busybox-bundle.sh"
rounds=11 warmup=2 front=0 raw=
while getopts n:w:fo:h opt; do
  case $opt in
    n) rounds=$OPTARG ;;
    w) warmup=$OPTARG ;;
    f) front=1 ;;
    o) raw=$(readlink -f -- "$OPTARG") ;;
    *) sed -n '2,31p' "$here" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
(( $# )) || set -- capsa runc crun
(( EUID == 0 )) || { echo "startup: needs root" >&2; exit 1; }
[[ -x /bin/busybox ]] || { echo "startup: needs /bin/busybox: apt-get install -y busybox-static" >&2; exit 1; }
command -v cc >/dev/null || { echo "startup: needs a C compiler (cc) for bench/rtime.c" >&2; exit 1; }

if [[ -z ${STARTUP_IN_NS-} ]] && mountpoint -q /sys/fs/cgroup/unified; then
  export STARTUP_IN_NS=1
  exec unshare -m --propagation private "$here" -n "$rounds" -w "$warmup" $( ((front)) && echo -f) \
    ${raw:+-o "$raw"} "$@"
fi
if [[ -n ${STARTUP_IN_NS-} ]]; then
  umount /sys/fs/cgroup/unified
fi

names=() bins=()
for r in "$@"; do
  case $r in
    capsa) b=$repo/bin/capsa-runtime; n=capsa
           [[ -f $repo/target/capsa.jar ]] || { echo "startup: skipping capsa: build first (target/capsa.jar missing)" >&2; continue; } ;;
    runc|crun) b=$(command -v "$r" || true); n=$r; [[ -n $b ]] || { echo "startup: skipping $r: not installed" >&2; continue; } ;;
    *) b=$(readlink -f -- "$r"); n=${b%/bin/*}; n=${n##*/}; [[ $b == */bin/* ]] || n=${b##*/} ;;
  esac
  [[ " ${names[*]} " == *" $n "* ]] && n=$n-${#names[@]}
  names+=("$n"); bins+=("$b")
done
(( ${#names[@]} )) || { echo "startup: no runtime to run" >&2; exit 1; }

tag=capsa-startup-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
work=$(mktemp -d /tmp/capsa-startup.XXXXXX)
fronts=()  # per runtime: its bin/capsa if -f and it has one
cleanup() {
  set +e
  for i in "${!names[@]}"; do
    delete_containers "${bins[$i]}" "$work/state-$i"
    if [[ -n ${fronts[$i]-} ]]; then
      for c in $("${fronts[$i]}" --root "$work/front-$i" --runroot "$work/frun-$i" ps -aq 2>/dev/null); do
        "${fronts[$i]}" --root "$work/front-$i" --runroot "$work/frun-$i" rm -f "$c" >/dev/null 2>&1
      done
    fi
  done
  remove_cgroup "/$tag"
  # mounts a front end may have left under the work dir (none expected), innermost first
  grep -o " $work[^ ]*" /proc/self/mounts | sort -r | while read -r m; do umount -l "$m"; done
  rm -rf "$work"
}
trap cleanup EXIT

cc -O2 -o "$work/rtime" "$repo/bench/rtime.c"

# Rootfs: static busybox with /bin/true, /bin/sh and /bin/sleep; bundles per runtime share it (read-only root).
busybox_rootfs "$work/rootfs" true sh sleep
# bundle DIR ARGS CGROUPS_PATH: runc's default config (bin/busybox-bundle.sh) with these args (the JSON inside
# process.args' brackets), the shared rootfs and this cgroupsPath.
bundle() {
  mkdir -p "$1"
  default_config --version 1.0.2-dev --args "$2" --root "$work/rootfs" --hostname bench --cgroup "$3" > "$1/config.json"
}
for i in "${!names[@]}"; do
  mkdir -p "$work/state-$i"
  bundle "$work/life-$i" '"/bin/sleep", "3600"' "/$tag/${names[$i]}"
  bundle "$work/true-$i" '"/bin/true"' "/$tag/${names[$i]}-run"
done

cmds=(version create state start kill delete run)
if (( front )); then
  for i in "${!names[@]}"; do
    f=${bins[$i]%/*}/capsa
    [[ ${bins[$i]} == */capsa-runtime && -x $f ]] || continue
    [[ -f $work/busybox.tar ]] || "$repo/bin/busybox-image.sh" "$work/busybox.tar" >/dev/null
    "$f" --root "$work/front-$i" --runroot "$work/frun-$i" load -i "$work/busybox.tar" >/dev/null
    fronts[i]=$f
  done
  cmds+=(front)
fi

# timed I COMMAND ARGS...: runs ARGS under rtime, records "name command" + its figures unless warming up.
timed() {
  local i=$1 c=$2 rc=0
  shift 2
  : > "$work/t"
  "$work/rtime" "$work/t" "$@" </dev/null >"$work/out" 2>"$work/err" || rc=$?
  if (( rc != 0 )); then
    echo "startup: ${names[$i]} $c failed (exit $rc): $*" >&2
    cat "$work/err" >&2
    return 1
  fi
  (( round < 0 )) || echo "${names[$i]} $c $(cat "$work/t")" >> "$work/results"
}

# gone PID: true once the process no longer exists or is a zombie.
gone() {
  local s
  [[ -r /proc/$1/stat ]] || return 0
  s=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) || return 0
  [[ -z $s || $s == Z || $s == X ]]
}

# step C I: the command C for runtime I in this round.
step() {
  local c=$1 i=$2 b=${bins[$2]} s=$work/state-$2 id=s$round-$2 pid k
  case $c in
    version) timed "$i" "$c" "$b" --version ;;
    create) timed "$i" "$c" "$b" --root "$s" create --bundle "$work/life-$i" "$id" ;;
    state) timed "$i" "$c" "$b" --root "$s" state "$id"
           pid=$(grep -o '"pid": *[0-9]*' "$work/out" | grep -o '[0-9]*$')
           [[ -n $pid ]] || { echo "startup: ${names[$i]} state: no pid in $(cat "$work/out")" >&2; return 1; }
           pids[i]=$pid ;;
    start) timed "$i" "$c" "$b" --root "$s" start "$id" ;;
    kill) timed "$i" "$c" "$b" --root "$s" kill "$id" KILL
          for ((k = 0; k < 500; k++)); do gone "${pids[$i]}" && break; sleep 0.01; done ;;
    delete) timed "$i" "$c" "$b" --root "$s" delete "$id" ;;
    run) timed "$i" "$c" "$b" --root "$s" run --bundle "$work/true-$i" "r$round-$i" ;;
    front) [[ -n ${fronts[$i]-} ]] || return 0
           timed "$i" "$c" "${fronts[$i]}" --root "$work/front-$i" --runroot "$work/frun-$i" run --rm \
             --cgroup-parent "/$tag/front-$i" localhost/busybox:latest true ;;
  esac
}

n=${#names[@]}
pids=()
echo "startup: ${names[*]}: $warmup warm-up + $rounds paired rounds of: ${cmds[*]}$([[ -n ${STARTUP_IN_NS-} ]] && echo ' (private mount ns without /sys/fs/cgroup/unified)')"
for ((round = -warmup; round < rounds; round++)); do
  for c in "${cmds[@]}"; do
    for ((k = 0; k < n; k++)); do
      step "$c" $(( ((round < 0 ? -round : round) + k) % n ))
    done
  done
done
[[ -z $raw ]] || cp "$work/results" "$raw"

# The report: per command, each runtime's median CPU and wall time; the ratios of the CPU medians of every
# other runtime to runc's and crun's; with two or more runtimes that are neither, the paired comparison of each
# to the first of them (median of the per-round differences of CPU and wall: same round, same step).
awk -v names="${names[*]}" -v cmds="${cmds[*]}" '
  { k = $1 SUBSEP $2; n[k]++; w[k, n[k]] = $3; u[k, n[k]] = $4 + $5 }
  function med(a, k, cnt,   i, j, x, o) {
    for (i = 1; i <= cnt; i++) o[i] = a[k, i]
    for (i = 2; i <= cnt; i++) { x = o[i]; for (j = i - 1; j >= 1 && o[j] > x; j--) o[j + 1] = o[j]; o[j + 1] = x }
    return cnt % 2 ? o[(cnt + 1) / 2] : (o[cnt / 2] + o[cnt / 2 + 1]) / 2
  }
  function pad(s, wd) { while (length(s) < wd) s = " " s; return s }
  END {
    nr = split(names, nm, " "); nc = split(cmds, cm, " ")
    for (i = 1; i <= nr; i++) if (nm[i] == "runc" || nm[i] == "crun") base[++nb] = nm[i]; else other[++no] = nm[i]
    printf "\nmedians, ms (%d runs each)\n\n%-8s", n[nm[1] SUBSEP cm[1]], "command"
    for (i = 1; i <= nr; i++) { hw[i] = length(nm[i] " CPU / wall") > 19 ? length(nm[i] " CPU / wall") : 19; printf " | %s", pad(nm[i] " CPU / wall", hw[i]) }
    for (b = 1; b <= nb; b++) for (o = 1; o <= no; o++) printf " | %s", pad("CPU " other[o] "/" base[b], 13)
    printf "\n"
    for (c = 1; c <= nc; c++) {
      printf "%-8s", cm[c]
      for (i = 1; i <= nr; i++) {
        k = nm[i] SUBSEP cm[c]
        if (!n[k]) { printf " | %s", pad("-", hw[i]); cpu[nm[i]] = 0; continue }
        cpu[nm[i]] = med(u, k, n[k]); printf " | %s", pad(sprintf("%8.1f / %8.1f", cpu[nm[i]], med(w, k, n[k])), hw[i])
      }
      for (b = 1; b <= nb; b++) for (o = 1; o <= no; o++) {
        s = cpu[base[b]] > 0 && cpu[other[o]] > 0 ? sprintf("%.0fx", cpu[other[o]] / cpu[base[b]]) : "-"
        printf " | %s", pad(s, length("CPU " other[o] "/" base[b]) > 13 ? length("CPU " other[o] "/" base[b]) : 13)
      }
      printf "\n"
    }
    for (o = 2; o <= no; o++) {
      printf "\npaired, %s against %s: median of per-round differences, ms (and %% of %s)\n", other[o], other[1], other[1]
      printf "%-8s | %20s | %20s\n", "command", "CPU", "wall"
      for (c = 1; c <= nc; c++) {
        ka = other[1] SUBSEP cm[c]; kb = other[o] SUBSEP cm[c]; m = n[ka] < n[kb] ? n[ka] : n[kb]
        if (!m) continue
        delete du; delete dw
        for (j = 1; j <= m; j++) { du[1, j] = u[kb, j] - u[ka, j]; dw[1, j] = w[kb, j] - w[ka, j] }
        a = med(u, ka, n[ka]); b = med(w, ka, n[ka]); x = med(du, 1, m); y = med(dw, 1, m)
        printf "%-8s | %+9.1f (%+6.1f%%) | %+9.1f (%+6.1f%%)\n", cm[c], x, 100 * x / a, y, 100 * y / b
      }
    }
  }' "$work/results"
