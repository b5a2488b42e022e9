#!/bin/bash
# The test command (README): installs what the tests need (idempotent), builds, runs every test (unit and
# integration: run as root), prints a summary. Extra arguments go to Maven, e.g.
#   ./test.sh -o -Dtest='Fixtures*'         offline, some tests only
#   ./test.sh -Dcapsa.unitOnly              unit tests only (no root needed)
# A run without arguments (CI's) then runs src/test/sh/engine-tests.sh: capsa-runtime under podman, containerd
# and Docker, each private (CAPSA_ENGINE_TESTS=0 skips it, =1 runs it also with arguments).
# Unit tests run in Maven's test phase; the integration tests (tagged "integration": root, real containers) in
# the package phase, after the jar and its AOT cache, against bin/capsa-runtime as built.
set -euo pipefail
cd "$(dirname "$(readlink -f -- "${BASH_SOURCE[0]}")")"

# Debian packages the tests use: a static busybox for the test rootfs, runc and crun as references and for
# the fixtures' own tests, libseccomp, newuidmap/newgidmap, ip (network namespaces), gcc for the native stage,
# a registry (docker-registry, skopeo, umoci, htpasswd, openssl) for the image tests, python3 for console tests,
# tini (its static tini-static) for capsa run --init.
PACKAGES=(busybox-static runc crun libseccomp2 libseccomp-dev uidmap iproute2 gcc libc6-dev maven
          docker-registry skopeo umoci apache2-utils openssl python3 tini)
# The engines for src/test/sh/engine-tests.sh (each runs privately there; their services are never started here).
engine_tests=${CAPSA_ENGINE_TESTS:-$(( $# == 0 ))}
[[ $engine_tests == 1 ]] && PACKAGES+=(podman containerd docker.io)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if (( ${#missing[@]} )); then
  if (( EUID != 0 )); then echo "test.sh: missing packages ${missing[*]} (run as root to install them)" >&2; exit 1; fi
  echo "test.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # No package may start its service on this host (dockerd, containerd, registry: the tests start their own,
  # privately): a policy-rc.d that refuses every start, for the time of the install, unless one is there.
  policy=
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy"
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [[ -z $policy ]] || { rm -f "$policy"; trap - EXIT; }
fi
JDK=/usr/lib/jvm/temurin-25-jdk-amd64
[[ -x $JDK/bin/javac ]] || { echo "test.sh: JDK 25 missing at $JDK (the pom builds with it)" >&2; exit 1; }
(( EUID == 0 )) || echo "test.sh: WARNING: not root: the integration tests need root and will fail" >&2

start=$SECONDS
marker=$(mktemp /tmp/capsa-test-run.XXXXXX)
rc=0
mvn -B package "$@" || rc=$?

# Summary from the surefire reports written by this run.
awk '
  /<testsuite / {
    for (i = 1; i <= NF; i++) if (match($i, /^(tests|failures|errors|skipped)="[0-9]+"/)) {
      split($i, kv, "\""); sub(/=.*/, "", kv[1]); total[kv[1]] += kv[2]
    }
    suites++
  }
  /<testcase / { name = $0; sub(/.*classname="/, "", name); sub(/".*/, "", name); cls = name
                 n = $0; sub(/.* name="/, "", n); sub(/".*/, "", n); current = cls "." n }
  /<(failure|error)[ >]/ { bad[++nbad] = current }
  END {
    printf "\n== tests: %d suites, %d tests, %d failures, %d errors, %d skipped\n", suites, total["tests"], total["failures"], total["errors"], total["skipped"]
    for (i = 1; i <= nbad; i++) print "   FAILED: " bad[i]
  }' $(find target/surefire-reports -name 'TEST-*.xml' -newer "$marker" 2>/dev/null | sort) /dev/null
rm -f "$marker"
echo "== build $([[ $rc == 0 ]] && echo OK || echo "FAILED (mvn exit $rc)") in $((SECONDS - start)) s"

# Real engines over bin/capsa-runtime (needs the jar: only after a build that passed).
if [[ $engine_tests == 1 && $rc == 0 ]]; then
  estart=$SECONDS
  erc=0
  bash src/test/sh/engine-tests.sh || erc=$?
  echo "== engine tests $([[ $erc == 0 ]] && echo OK || echo "FAILED (exit $erc)") in $((SECONDS - estart)) s"
  (( erc == 0 )) || rc=$erc
fi
exit $rc
