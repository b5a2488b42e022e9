# Shared launcher logic for bin/capsa-runtime and bin/capsa (and bin/train-aot.sh).
# Sourced, not executed. The caller sets CAPSA_BIN to the canonical bin/ directory first.
#
# Environment:
#   CAPSA_JAVA       java executable or JDK home to use (must be JDK 25+)
#   JAVA_HOME        used if it is a JDK 25+ and CAPSA_JAVA is unset
#   CAPSA_JAVA_OPTS  extra JVM options (e.g. -Xlog:aot to see why the AOT cache is not used)
#   CAPSA_NO_AOT=1   do not use the AOT cache (target/capsa-runtime.aot, target/capsa.aot)
#   CAPSA_CLASSPATH  run these classes instead of target/capsa.jar, without the AOT cache (the tests use it
#                    to run the code just compiled, target/classes + dependencies, before the jar exists)

CAPSA_HOME=${CAPSA_BIN%/*}
CAPSA_JAR=$CAPSA_HOME/target/capsa.jar
CAPSA_AOT=$CAPSA_HOME/target/capsa.aot                  # bin/capsa's AOT cache
CAPSA_RUNTIME_AOT=$CAPSA_HOME/target/capsa-runtime.aot  # bin/capsa-runtime's
CAPSA_DEFAULT_JDK=/usr/lib/jvm/temurin-25-jdk-amd64

# JVM flags chosen for start-up time, measured as CPU time (user+sys, medians of interleaved runs on a loaded
# 2-core machine; README "Start-up"): SerialGC + C1 only + no perf data cut a plain JVM's CPU by ~30% on every
# command; the AOT cache cuts another ~25-40%. Full tiered compilation (no TieredStopAtLevel) used ~15% more CPU
# on short commands, and a cache trained with it ~50% more on create; -XX:CICompilerCount=1, -Xss512k and
# -Xmx256m changed nothing measurable. -Xshare:auto is the default (and naming it is refused with -XX:AOTCache).
# bin/train-aot.sh trains the AOT cache with exactly these flags: the cache is refused when e.g.
# --enable-native-access differs.
# -XX:CompileThresholdScaling=10 (C1 compiles a method after 10x the usual invocations and loop iterations):
# a command is over before most of what C1 compiled pays back, and the compiler thread used about a third of
# a short command's CPU; it cut 15-30% of CPU per command (bench/startup.sh; 20 and 50 measured alike,
# 200 and -Xint less well: then the interpreter's extra time on hot loops outweighs).
# -Djdk.reflect.useNativeAccessorOnly=true: Method.invoke and Constructor.newInstance through the JVM's native
# accessor instead of method handles. The JDK's source calls the property "for testing only"; we set it on
# purpose, because:
#  - each reflective constructor or method costs its first call method-handle adapters spun as new classes
#    (about 100 per create, for the records of config.json); the AOT cache does not keep them. Measured: create
#    and run about 240 ms CPU less each (of ~700), the other commands 10-30 ms (README "Start-up");
#  - the native accessor is no test double: it is the JDK's own implementation for reflection during start-up
#    (before java.lang.invoke works) and for native and odd varargs methods, and was the first-calls path of
#    every JDK up to 17; behaviour (exceptions, access checks) is the same, only many calls to one member are
#    slower (no inlining), which a command that lives for a second never makes;
#  - it is a system property, not a VM flag: a JDK that drops it ignores it, and the commands are as before.
# -XX:CompileCommand=CompileThresholdScaling,java.math.BigInteger::*,0.01: JDK 25's BigDecimal computes
# 5^(2^16) in its static initializer (a 152,000-bit number, by repeated squaring), ~40 ms CPU interpreted, and
# every command that reads JSON initializes BigDecimal (jackson-core's ParserMinimalBase has BigDecimal
# constants); compiling BigInteger's methods early cut ~15 ms of it (state: 314 -> 301 ms CPU). `quiet`:
# otherwise the JVM announces the command on stdout.
# JVM log output goes to stderr, never stdout (stdout carries JSON that engines parse), and the AOT
# cache's own messages are silenced (a stale or missing cache only costs time).
CAPSA_JVM_FLAGS=(
  -XX:+UseSerialGC
  -XX:TieredStopAtLevel=1
  -XX:CompileThresholdScaling=10
  -XX:-UsePerfData
  -Djdk.reflect.useNativeAccessorOnly=true
  -XX:CompileCommand=quiet
  -XX:CompileCommand=CompileThresholdScaling,java.math.BigInteger::*,0.01
  --enable-native-access=ALL-UNNAMED
  -Xlog:disable -Xlog:all=warning,aot=off,cds=off:stderr
)

# capsa_java_ok DIR: true if DIR is a JDK/JRE home whose release file says version 25 or later.
capsa_java_ok() {
  local line v
  [[ -x $1/bin/java && -r $1/release ]] || return 1
  while IFS= read -r line; do
    if [[ $line == JAVA_VERSION=* ]]; then
      v=${line#JAVA_VERSION=}; v=${v//\"/}; v=${v%%[.+-]*}
      [[ $v =~ ^[0-9]+$ ]] && (( v >= 25 )) && return 0
      return 1
    fi
  done < "$1/release"
  return 1
}

# Sets CAPSA_JAVA_BIN or prints an error and returns 1.
capsa_find_java() {
  if [[ -n ${CAPSA_JAVA-} ]]; then
    if [[ -d $CAPSA_JAVA && -x $CAPSA_JAVA/bin/java ]]; then CAPSA_JAVA_BIN=$CAPSA_JAVA/bin/java
    elif [[ -f $CAPSA_JAVA && -x $CAPSA_JAVA ]]; then CAPSA_JAVA_BIN=$CAPSA_JAVA
    else echo "capsa: CAPSA_JAVA=$CAPSA_JAVA is neither a java executable nor a JDK directory" >&2; return 1
    fi
  elif [[ -n ${JAVA_HOME-} ]] && capsa_java_ok "$JAVA_HOME"; then CAPSA_JAVA_BIN=$JAVA_HOME/bin/java
  elif [[ -x $CAPSA_DEFAULT_JDK/bin/java ]]; then CAPSA_JAVA_BIN=$CAPSA_DEFAULT_JDK/bin/java
  else
    echo "capsa: no JDK 25 found: set CAPSA_JAVA (or JAVA_HOME) to a JDK 25+, or install $CAPSA_DEFAULT_JDK" >&2
    return 1
  fi
}

# capsa_launch MAIN_CLASS ARGS...: exec the JVM (never returns on success).
capsa_launch() {
  local main=$1; shift
  capsa_find_java || exit 1
  local cp=$CAPSA_JAR aot=() cache=$CAPSA_AOT
  [[ $main == io.capsa.cli.RuntimeMain ]] && cache=$CAPSA_RUNTIME_AOT
  if [[ -n ${CAPSA_CLASSPATH-} ]]; then
    cp=$CAPSA_CLASSPATH
  elif [[ ! -f $CAPSA_JAR ]]; then
    echo "capsa: $CAPSA_JAR not found: build it first (mvn -B package, see README)" >&2
    exit 1
  # Use the cache only if it exists and is not older than the jar (a stale cache is refused anyway).
  elif [[ -z ${CAPSA_NO_AOT-} && -f $cache && ! $CAPSA_JAR -nt $cache ]]; then
    aot=(-XX:AOTCache="$cache")
  fi
  # shellcheck disable=SC2086 # CAPSA_JAVA_OPTS is a list of options on purpose
  exec "$CAPSA_JAVA_BIN" "${CAPSA_JVM_FLAGS[@]}" "${aot[@]}" ${CAPSA_JAVA_OPTS-} -cp "$cp" "$main" "$@"
}
