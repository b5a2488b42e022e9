#!/bin/bash
# Creates the JDK AOT caches (JEP 483/514) of the launchers, target/capsa-runtime.aot (bin/capsa-runtime) and
# target/capsa.aot (bin/capsa), after replacing picocli's Java 5 classes in target/capsa.jar by the same sources
# compiled for Java 25 (step 1). Two caches, because the JVM loads every class of its cache at start-up (about
# 35 us per class on this machine): the runtime's commands, run several times per container, would otherwise
# pay for the front end's classes (jackson-databind among them).
# Called by Maven in the package phase (after the jar is shaded); skipped with -DskipAot=true.
# Never fails the build: if anything goes wrong it prints a warning and leaves no cache (the launcher then
# simply starts without one).
#
# The training runs (src/aot/io/capsa/aot/AotTraining.java, compiled here into target/aot/training.jar, not
# shipped) run real command lines in one JVM without side effects on the host. They run with the launcher's
# own JVM flags and with target/capsa.jar first on the class path, as the cache requires.
set -u
CAPSA_BIN=$(readlink -f -- "${BASH_SOURCE[0]}") && CAPSA_BIN=${CAPSA_BIN%/*} || exit 0
. "$CAPSA_BIN/capsa-launch.sh"
. "$CAPSA_BIN/busybox-bundle.sh"

warn() {
  echo "train-aot: WARNING: $*; no AOT cache (start-up will be slower)" >&2
  rm -f "$CAPSA_AOT" "$CAPSA_AOT.new" "$CAPSA_RUNTIME_AOT" "$CAPSA_RUNTIME_AOT.new"
  exit 0
}

capsa_find_java 2>/dev/null || warn "no JDK 25 found"
javac=${CAPSA_JAVA_BIN%/java}/javac
jar=${CAPSA_JAVA_BIN%/java}/jar
[[ -x $javac && -x $jar ]] || warn "$CAPSA_JAVA_BIN has no javac/jar next to it"
[[ -f $CAPSA_JAR ]] || warn "$CAPSA_JAR missing"

out=$CAPSA_HOME/target/aot
rm -rf "$out" "$CAPSA_AOT" "$CAPSA_AOT.new" "$CAPSA_RUNTIME_AOT" "$CAPSA_RUNTIME_AOT.new"
mkdir -p "$out/classes" "$out/work" || warn "cannot create $out"

# 1. picocli as Java 25 class files. Its jar is Java 5 bytecode (class version 49): such classes are left out
#    of the AOT cache (about 170 classes loaded and verified from the jar at every start). The pom copies
#    picocli's sources jar (same version) to target/picocli/; compile it once and put the classes in capsa.jar.
pico=$CAPSA_HOME/target/picocli
if [[ -f $pico/picocli-sources.jar ]]; then
  if [[ ! -f $pico/classes.done || $pico/picocli-sources.jar -nt $pico/classes.done ]]; then
    rm -rf "$pico/src" "$pico/classes" "$pico/classes.done"
    mkdir -p "$pico/src" "$pico/classes"
    (cd "$pico/src" && "$jar" --extract --file ../picocli-sources.jar) \
      && "$javac" --release 25 -nowarn -XDsuppressNotes -d "$pico/classes" \
           $(find "$pico/src" -name '*.java' ! -name module-info.java) >"$pico/javac.log" 2>&1 \
      && touch "$pico/classes.done" \
      || echo "train-aot: WARNING: picocli sources do not compile (see $pico/javac.log); keeping its Java 5 classes" >&2
  fi
  if [[ -f $pico/classes.done ]]; then
    "$jar" --update --file "$CAPSA_JAR" -C "$pico/classes" picocli || warn "cannot update $CAPSA_JAR with picocli"
    echo "train-aot: picocli recompiled for Java 25 in $CAPSA_JAR"
  fi
else
  echo "train-aot: no $pico/picocli-sources.jar: picocli stays Java 5 bytecode (not in the AOT cache)" >&2
fi

"$javac" -nowarn -d "$out/classes" -cp "$CAPSA_JAR" $(find "$CAPSA_HOME/src/aot" -name '*.java') >"$out/javac.log" 2>&1 \
  || { cat "$out/javac.log" >&2; warn "the training driver does not compile against capsa.jar"; }
"$jar" --create --file "$out/training.jar" -C "$out/classes" . || warn "jar failed"

# 2. The training runs. As root (CI builds as root) with /bin/busybox they also run real containers (the
#    runtime's create, start, state, kill, delete, run, exec; the front end's load and run --rm of a busybox
#    image): the paths engines use, which the dry runs never reach. They live in $out/work (state roots, image
#    store) and below a cgroup parent of this script's own, all removed below. CAPSA_AOT_REAL=0 skips them.
real=()
cg=
if (( EUID == 0 )) && [[ ${CAPSA_AOT_REAL-1} != 0 && -x /bin/busybox && -d /sys/fs/cgroup ]]; then
  cg=/capsa-aot-training-$$-$RANDOM
  # the runtime's bundles (life: sleep, detached: sleep, once: true) on one read-only busybox rootfs
  b=$out/bundles
  busybox_rootfs "$b/rootfs" true sh sleep
  for n in life detached once; do
    mkdir -p "$b/$n"
    default_config --version 1.0.2-dev --args "$([[ $n == once ]] && echo '"/bin/true"' || echo '"/bin/sleep", "600"')" \
      --root "$b/rootfs" --hostname training --cgroup "$cg/$n" > "$b/$n/config.json"
  done
  if "$CAPSA_HOME/bin/busybox-image.sh" "$out/busybox.tar" >"$out/busybox-image.log" 2>&1; then
    real=(--real "$cg" "$out/busybox.tar" "$b")
  else
    echo "train-aot: no real containers in the training (bin/busybox-image.sh failed, see $out/busybox-image.log)" >&2
  fi
fi

# train MODE CACHE: one training run (AotTraining MODE) that writes CACHE; on failure, a warning and no CACHE.
train() {
  local mode=$1 cache=$2 log=$out/training-$1.log start rc secs m p
  echo "train-aot: $mode training run (JVM flags: ${CAPSA_JVM_FLAGS[*]})$( ((${#real[@]})) && echo ", with real containers")"
  start=$EPOCHREALTIME
  rm -rf --one-file-system "$out/work" && mkdir -p "$out/work"
  # -XX:AOTCacheOutput: record this run, then assemble the cache (in a child JVM) when it exits. A training
  # that hangs (it should take seconds) is ended after 10 minutes: the build goes on without this cache.
  timeout --kill-after=10 600 "$CAPSA_JAVA_BIN" "${CAPSA_JVM_FLAGS[@]}" -XX:AOTCacheOutput="$cache.new" \
      -cp "$CAPSA_JAR:$out/training.jar" io.capsa.aot.AotTraining "$mode" "$out/work" "${real[@]}" 2>"$log"
  rc=$?
  # Whatever real containers left if the training failed half-way: their processes (each in a cgroup below
  # this script's own), mounts below the scratch dir (innermost first), then the cgroups.
  if [[ -n $cg ]]; then
    for m in /sys/fs/cgroup/* /sys/fs/cgroup; do
      [[ -d $m$cg ]] || continue
      find "$m$cg" -name cgroup.procs -exec cat {} + 2>/dev/null | while read -r p; do
        kill -9 "$p" 2>/dev/null && echo "train-aot: killed stray container process $p" >&2
      done
    done
  fi
  grep -o " $out/work[^ ]*" /proc/self/mounts | sort -r | while read -r m; do
    umount -l "$m" && echo "train-aot: unmounted stray $m" >&2
  done
  if [[ -n $cg ]]; then
    sleep 0.2
    remove_cgroup "$cg"
  fi
  rm -rf --one-file-system "$out/work"
  echo "train-aot: $(grep -c '^  aot training: exit 0' "$log") commands exited 0, $(grep -c '^  aot training: exit [1-9]' "$log") failed as intended (log: $log)"
  grep '^  aot training: .*threw' "$log" | sed 's/^  aot training: /train-aot: unexpected: /' >&2
  if (( rc != 0 )) || [[ ! -s $cache.new ]]; then
    grep -v '^  aot training' "$log" | tail -20 >&2
    echo "train-aot: WARNING: $mode training run failed (exit $rc; log in $log); no $cache (start-up will be slower)" >&2
    rm -f "$cache.new"
    return
  fi
  if ! mv -f "$cache.new" "$cache"; then
    echo "train-aot: WARNING: cannot move $cache in place" >&2
    return
  fi
  secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  echo "train-aot: $cache ($(( $(stat -c %s "$cache") / 1048576 )) MiB) in $secs s"
}
train runtime "$CAPSA_RUNTIME_AOT"
train front "$CAPSA_AOT"
rm -rf "$out/busybox.tar" "$out/bundles"
# A training run must not leave anything on the host: remove a cgroup if a future create path made one.
for d in /sys/fs/cgroup/capsa-aot-training /sys/fs/cgroup/*/capsa-aot-training; do
  if [[ -d $d ]]; then rmdir "$d"/* "$d" 2>/dev/null; echo "train-aot: removed stray cgroup $d" >&2; fi
done
exit 0
