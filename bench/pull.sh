#!/bin/bash
# bench/pull.sh: pull + unpack an image of a few hundred MB from a local registry, Capsa vs skopeo+umoci.
#
#   bench/pull.sh [SIZE_MB (default 300)] [RUNS (default 3)]
#
# Builds (offline, with umoci) an image of random-content layers: SIZE_MB of large incompressible files in
# four layers plus one layer of 4000 small files; pushes it with skopeo into Debian's docker-registry started
# on 127.0.0.1 (random port, temporary storage); then, RUNS times each, from an empty store:
#   capsa  : ImageMain pull (parallel download, verify, unpack every layer)  +  rootfs (overlay mount)
#   skopeo : skopeo copy docker:// -> oci: layout  +  umoci unpack (a flattened rootfs)
# and prints the wall times side by side. Needs root, docker-registry, skopeo, umoci; built jar (mvn package).
set -euo pipefail
SIZE_MB=${1:-300}
RUNS=${2:-3}
HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
JAR=$HERE/target/capsa.jar
JAVA=${CAPSA_JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
for t in docker-registry skopeo umoci; do
  command -v $t >/dev/null || { echo "bench: $t is not installed (apt-get install docker-registry skopeo umoci)" >&2; exit 1; }
done
[[ -f $JAR ]] || { echo "bench: $JAR missing: mvn -q -o package -DskipAot=true -DskipTests" >&2; exit 1; }

WORK=$(mktemp -d /var/tmp/capsa-bench.XXXXXX)
REG_PID=
cleanup() {
  set +e
  [[ -n $REG_PID ]] && kill "$REG_PID" 2>/dev/null && wait "$REG_PID" 2>/dev/null
  # unmount anything a failed run left under the work dir, deepest first
  awk -v w="$WORK" '$5 ~ "^"w {print $5}' /proc/self/mountinfo | sort -r | while read -r m; do umount "$m"; done
  rm -rf "$WORK"
}
trap cleanup EXIT

capsa() { "$JAVA" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 --enable-native-access=ALL-UNNAMED -cp "$JAR" io.capsa.image.ImageMain "$@"; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

echo "== generating a ${SIZE_MB} MB image (random content) in $WORK"
SRC=$WORK/src
per=$(( SIZE_MB / 4 ))
for i in 1 2 3 4; do
  mkdir -p "$SRC/l$i/data$i"
  for j in 1 2 3; do head -c $(( per * 1024 * 1024 / 3 )) /dev/urandom > "$SRC/l$i/data$i/blob$j"; done
done
mkdir -p "$SRC/small/usr/share/small"
for d in $(seq 1 40); do
  mkdir -p "$SRC/small/usr/share/small/d$d"
  for f in $(seq 1 100); do head -c 4096 /dev/urandom > "$SRC/small/usr/share/small/d$d/f$f"; done
done
LAYOUT=$WORK/layout
umoci init --layout "$LAYOUT"
umoci new --image "$LAYOUT:bench"
for i in 1 2 3 4; do umoci insert --image "$LAYOUT:bench" "$SRC/l$i/data$i" "/data$i"; done
umoci insert --image "$LAYOUT:bench" "$SRC/small/usr" /usr
rm -rf "$SRC"

echo "== starting docker-registry on 127.0.0.1"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$WORK/registry.yml" <<YML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $WORK/registry
http:
  addr: 127.0.0.1:$PORT
YML
docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
REG_PID=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/v2/" >/dev/null && break; sleep 0.1; done
REF=127.0.0.1:$PORT/bench/random:1
skopeo --insecure-policy copy -q --preserve-digests --dest-tls-verify=false "oci:$LAYOUT:bench" "docker://$REF"
rm -rf "$LAYOUT"
echo "   pushed $REF: $(du -sh "$WORK/registry" | cut -f1) in the registry"

# measure CMD...: appends "wall cpu" (seconds; cpu = user + sys of the command and its children) to $TIMES
TIMEFORMAT='%R %U %S'
measure() {
  local t
  t=$( { time "$@" >/dev/null 2>"$WORK/err" ; } 2>&1 ) || { cat "$WORK/err" >&2; exit 1; }
  TIMES+=("$(awk '{ printf "%.2f %.2f", $1, $2 + $3 }' <<<"$t")")
}
echo "   machine load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (wall times suffer on a busy machine; cpu times less)"
printf '\n%-4s %-28s %-28s | %-28s %-28s\n' run "capsa pull (wall cpu)" "capsa rootfs (wall cpu)" "skopeo copy (wall cpu)" "umoci unpack (wall cpu)"
all=()
for r in $(seq 1 "$RUNS"); do
  TIMES=()
  sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
  STORE=$WORK/capsa-$r
  measure capsa --root "$STORE" -q pull "$REF"
  measure capsa --root "$STORE" -q rootfs "$REF" bench
  capsa --root "$STORE" rm-rootfs bench; rm -rf "$STORE"
  sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
  OCI=$WORK/skopeo-$r
  measure skopeo --insecure-policy copy -q --src-tls-verify=false "docker://$REF" "oci:$OCI:bench"
  measure umoci unpack --image "$OCI:bench" "$OCI-bundle"
  rm -rf "$OCI" "$OCI-bundle"
  printf '%-4s %-28s %-28s | %-28s %-28s\n' "$r" "${TIMES[@]}"
  all+=("${TIMES[*]}")
done
printf '%s\n' "${all[@]}" | awk '{ cw += $1 + $3; cc += $2 + $4; sw += $5 + $7; sc += $6 + $8; n++ }
  END { printf "\nmean per run (s):  capsa pull+rootfs  wall %.2f cpu %.2f   |   skopeo+umoci  wall %.2f cpu %.2f\n", cw/n, cc/n, sw/n, sc/n }'
