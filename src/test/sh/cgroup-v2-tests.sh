#!/bin/bash
# Runs the cgroup integration tests on cgroup v2, inside the throw-away VM of ../shared/cgroup2-vm
# (this machine itself is cgroup v1/hybrid, where `mvn test` runs the same tests on v1).
#
# How CI runs it: .ci/run calls `bash src/test/sh/cgroup-v2-tests.sh` after the Maven build (which
# compiled main and test classes). This script compiles nothing when target/test-classes is fresh;
# it copies the test classpath's jars into target/vm-lib (offline, from the local Maven repository
# the build filled) and boots the VM with the checkout shared read-write, then runs, with JDK 25's java
# directly (host /usr is visible inside the VM), only the test classes named below.
#
# Usage: src/test/sh/cgroup-v2-tests.sh [-g v2|v1|hybrid] [TEST_CLASS...]
#   env CGVM_ACCEL=tcg|kvm|auto (default tcg: KVM here fails with "failed to set MSR 0x10a"),
#       CAPSA_SHARED (default ../shared beside the checkout, else /work/shared)
set -euo pipefail
cd "$(dirname "$0")/../../.."
root=$PWD
mode=v2
if [ "${1:-}" = -g ]; then mode=$2; shift 2; fi
classes=("$@")
[ ${#classes[@]} -gt 0 ] || classes=(io.capsa.cgroup.CgroupIntegrationTest io.capsa.cgroup.v2.DeviceFilterIntegrationTest
                                     io.capsa.cli.CapsaFrontCgroupV2Test)

shared=${CAPSA_SHARED:-}
if [ -z "$shared" ]; then
  for d in "$root/../shared" /work/shared; do
    if [ -x "$d/cgroup2-vm/run-in-cgv2-vm.sh" ]; then shared=$d; break; fi
  done
fi
[ -n "$shared" ] || { echo "cgroup-v2-tests: ../shared/cgroup2-vm not found" >&2; exit 1; }

jdk=${CAPSA_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
if [ ! -d target/test-classes/io/capsa/cgroup ] || [ -n "$(find src -newer target/test-classes -name '*.java' -print -quit)" ]; then
  mvn -q -o test-compile -DskipAot=true -Dexec.skip=true
fi
if [ ! -d target/vm-lib ] || [ pom.xml -nt target/vm-lib ]; then
  rm -rf target/vm-lib
  dep=(org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies -DincludeScope=test
       -DoutputDirectory=target/vm-lib)
  mvn -q -o "${dep[@]}" || mvn -q "${dep[@]}"
fi

# The front end's tests (CapsaFrontCgroupV2Test) run bin/capsa, a JVM start per command: in the VM from
# target/capsa.jar with its AOT cache (about half the start-up) when the build made them from the classes there
# now (CI: test.sh's package), else from target/classes. Their busybox image is built here, outside the slow VM.
props=()
if [ -f target/capsa.jar ] && [ -f target/capsa.aot ] && [ ! target/capsa.jar -nt target/capsa.aot ] \
   && [ -z "$(find target/classes -type f -newer target/capsa.jar -print -quit)" ]; then
  props+=(-Dcapsa.test.useJar=true)
fi
if [ -x /bin/busybox ]; then
  if [ ! -f target/vm-busybox.tar ] || [ /bin/busybox -nt target/vm-busybox.tar ] || [ bin/busybox-image.sh -nt target/vm-busybox.tar ]; then
    bin/busybox-image.sh target/vm-busybox.tar >/dev/null
  fi
  props+=(-Dcapsa.test.busyboxTar="$root/target/vm-busybox.tar")
fi

export CGVM_ACCEL=${CGVM_ACCEL:-tcg}
exec "$shared/cgroup2-vm/run-in-cgv2-vm.sh" -g "$mode" -w "$root" -t "${CGVM_TIMEOUT:-1500}" -- \
  "$jdk/bin/java" --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 "${props[@]}" \
  -cp "target/classes:target/test-classes:target/vm-lib/*" io.capsa.cgroup.VmTestMain "${classes[@]}"
