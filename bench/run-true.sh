#!/bin/bash
# Times `RUNTIME run --bundle B ID` of /bin/true (create + start + wait + delete in one command, no terminal,
# not detached, a fresh ID each time) for capsa-runtime, runc and crun, side by side.
#
#   bench/run-true.sh [-n ROUNDS] [-w WARMUP] [RUNTIME...]      (default: -n 30 -w 3 capsa runc crun)
#
# What is measured, per run:
#   time  whole-process wall time of the runtime command (from before its exec to its exit), taken with
#         bash's $EPOCHREALTIME around `/usr/bin/time -f %M RUNTIME ...` (the wrapper is the same for all).
#   CPU   user + system CPU time of that tree (GNU time's %U + %S, 10 ms resolution): on a loaded machine
#         (other work competing for the cores) this moves far less than the wall time.
#   RSS   GNU time's %M: ru_maxrss of wait4(), i.e. the peak resident set of the LARGEST single process in the
#         runtime's process tree (the runtime itself and the children it waited for, the container included);
#         not a sum over processes. For capsa that is the JVM, for runc/crun the runtime binary.
# Paired: rounds are interleaved (each round runs every runtime once, the starting runtime rotating), so load
# changes on the machine hit all runtimes alike.
#
# crun 1.8 refuses this machine's hybrid cgroup layout (v1 controllers + a cgroup2 mount at
# /sys/fs/cgroup/unified). So the whole benchmark re-executes itself in a private mount namespace
# (unshare -m --propagation private) where /sys/fs/cgroup/unified is unmounted: all runtimes then run under
# the same, pure v1, layout. Containers use the absolute cgroupsPath /capsa-bench-<random>/<runtime>, removed
# at the end on every hierarchy; state lives in a temporary --root per runtime.
set -euo pipefail
here=$(readlink -f -- "${BASH_SOURCE[0]}"); repo=${here%/bench/*}
. "$repo/bin/busybox-bundle.sh"
rounds=30 warmup=3
while getopts n:w:h opt; do
  case $opt in
    n) rounds=$OPTARG ;;
    w) warmup=$OPTARG ;;
    *) sed -n '2,22p' "$here" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
(( $# )) || set -- capsa runc crun
(( EUID == 0 )) || { echo "run-true: needs root" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "run-true: needs GNU time: apt-get install -y time" >&2; exit 1; }
[[ -x /bin/busybox ]] || { echo "run-true: needs /bin/busybox: apt-get install -y busybox-static" >&2; exit 1; }

# Private mount namespace without the cgroup2 'unified' mount (see above).
if [[ -z ${RUN_TRUE_IN_NS-} ]] && mountpoint -q /sys/fs/cgroup/unified; then
  export RUN_TRUE_IN_NS=1
  exec unshare -m --propagation private "$here" -n "$rounds" -w "$warmup" "$@"
fi
if [[ -n ${RUN_TRUE_IN_NS-} ]]; then
  umount /sys/fs/cgroup/unified
fi

names=() bins=()
for r in "$@"; do
  case $r in
    capsa) b=$repo/bin/capsa-runtime; [[ -f $repo/target/capsa.jar ]] || { echo "run-true: skipping capsa: build first (target/capsa.jar missing)" >&2; continue; } ;;
    runc|crun) b=$(command -v "$r" || true); [[ -n $b ]] || { echo "run-true: skipping $r: not installed" >&2; continue; } ;;
    *) b=$(readlink -f -- "$r") ;;
  esac
  names+=("${r##*/}"); bins+=("$b")
done
(( ${#names[@]} )) || { echo "run-true: no runtime to run" >&2; exit 1; }

tag=capsa-bench-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
work=$(mktemp -d /tmp/capsa-bench.XXXXXX)
cleanup() {
  set +e
  for i in "${!names[@]}"; do
    delete_containers "${bins[$i]}" "$work/state-$i"
  done
  remove_cgroup "/$tag"
  rm -rf "$work"
}
trap cleanup EXIT

# Rootfs: static busybox with /bin/true and /bin/sh; one bundle per runtime sharing it (read-only root).
busybox_rootfs "$work/rootfs" true sh
for i in "${!names[@]}"; do
  mkdir -p "$work/bundle-$i" "$work/state-$i"
  # runc 1.1's `runc spec`, with: no terminal, args /bin/true, absolute rootfs, a cgroupsPath of our own.
  default_config --version 1.0.2-dev --args '"/bin/true"' --root "$work/rootfs" --hostname bench \
    --cgroup "/$tag/${names[$i]}" > "$work/bundle-$i/config.json"
done

# one_run I ROUND: runs runtime I once; appends "name ms rss_kib" to $work/results (unless warm-up).
one_run() {
  local i=$1 round=$2 id t0 t1 rc=0
  id=b$round-$RANDOM$RANDOM
  t0=$EPOCHREALTIME
  /usr/bin/time -f '%M %U %S' -o "$work/rss" "${bins[$i]}" --root "$work/state-$i" run --bundle "$work/bundle-$i" "$id" \
    </dev/null >"$work/out" 2>"$work/err" || rc=$?
  t1=$EPOCHREALTIME
  if (( rc != 0 )); then
    echo "run-true: ${names[$i]} failed (exit $rc) in round $round:" >&2
    cat "$work/err" >&2
    "${bins[$i]}" --root "$work/state-$i" delete --force "$id" >/dev/null 2>&1 || true
    return 1
  fi
  (( round < 0 )) && return 0
  echo "${names[$i]} $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) * 1000 }') $(tail -n1 "$work/rss" |
    awk '{ printf "%d %.0f", $1, ($2 + $3) * 1000 }')" >> "$work/results"
}

n=${#names[@]}
echo "run-true: ${names[*]}: $warmup warm-up + $rounds paired rounds$([[ -n ${RUN_TRUE_IN_NS-} ]] && echo ', private mount ns without /sys/fs/cgroup/unified')"
for ((r = -warmup; r < rounds; r++)); do
  for ((k = 0; k < n; k++)); do
    one_run $(( ((r < 0 ? -r : r) + k) % n )) "$r"
  done
done

awk -v names="${names[*]}" '
  { t[$1, ++c[$1]] = $2; m[$1, c[$1]] = $3; u[$1, c[$1]] = $4 }
  function sortv(arr, name, cnt, out,   i, j, x) {
    for (i = 1; i <= cnt; i++) out[i] = arr[name, i]
    for (i = 2; i <= cnt; i++) { x = out[i]; for (j = i - 1; j >= 1 && out[j] > x; j--) out[j + 1] = out[j]; out[j + 1] = x }
  }
  function q(out, cnt, p,   k) { k = int(p * (cnt - 1) + 0.5) + 1; return out[k] }
  END {
    k = split(names, nm, " ")
    printf "\n%-10s %5s %9s %9s %9s %9s %9s %12s   %s\n", "runtime", "runs", "mean ms", "median", "p90", "min", "max", "CPU ms med", "peak RSS MiB (median / max)"
    for (i = 1; i <= k; i++) {
      x = nm[i]; cnt = c[x]; s = 0
      for (j = 1; j <= cnt; j++) s += t[x, j]
      delete o; sortv(t, x, cnt, o)
      mean[x] = s / cnt; med[x] = q(o, cnt, 0.5)
      delete r; sortv(m, x, cnt, r)
      delete cp; sortv(u, x, cnt, cp); cpu[x] = q(cp, cnt, 0.5)
      printf "%-10s %5d %9.1f %9.1f %9.1f %9.1f %9.1f %12.0f   %.1f / %.1f\n", x, cnt, mean[x], med[x], q(o, cnt, 0.9), o[1], o[cnt], cpu[x], q(r, cnt, 0.5) / 1024, r[cnt] / 1024
    }
    for (b = 1; b <= k; b++) {
      base = nm[b]; if (base != "runc" && base != "crun") continue
      printf "\nratios vs %s (wall mean, wall median, CPU median):", base
      for (i = 1; i <= k; i++) if (nm[i] != base) printf "  %s %.2fx, %.2fx, %s", nm[i], mean[nm[i]] / mean[base], med[nm[i]] / med[base], (cpu[base] > 0 ? sprintf("%.1fx", cpu[nm[i]] / cpu[base]) : "n/a")
      printf "\n"
    }
  }' "$work/results"
