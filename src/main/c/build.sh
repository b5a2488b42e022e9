#!/usr/bin/env bash
# Builds the native exec stage: bash src/main/c/build.sh OUTDIR  ->  OUTDIR/capsa-stage
# (Maven runs it in process-classes, so the binary lands in the jar as io/capsa/stage/capsa-stage).
# Dynamically linked on purpose: the stage copies itself into a sealed memfd on every start
# (docs/stage-protocol.md), and copying a ~720 KB static glibc image costs more than the loader
# (measured: median 1.64 ms vs 1.74 ms per spawn; a bare /bin/true spawn is 1.21 ms on the same VM).
# CC and CFLAGS may be overridden.
set -euo pipefail
trap 'echo "build.sh: FAILED to build the native stage capsa-stage (see above)" >&2' ERR

out=${1:?usage: build.sh OUTDIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$here/capsa-stage.c
bin=$out/capsa-stage
cc=${CC:-gcc}
cflags=${CFLAGS:--std=gnu11 -O2 -Wall -Wextra -Werror}

mkdir -p "$out"
# Up to date: nothing to do (Maven calls this on every build).
if [[ -x $bin && $bin -nt $src && $bin -nt ${BASH_SOURCE[0]} ]]; then
  exit 0
fi
tmp=$(mktemp "$out/.capsa-stage.XXXXXX")
trap 'rm -f "$tmp"' EXIT
# shellcheck disable=SC2086
"$cc" $cflags -o "$tmp" "$src"
strip "$tmp"
chmod 755 "$tmp"
mv -f "$tmp" "$bin"
trap - EXIT
