package io.capsa.seccomp;

import static io.capsa.seccomp.BpfRunner.AUDIT_ARCH_AARCH64;
import static io.capsa.seccomp.BpfRunner.AUDIT_ARCH_I386;
import static io.capsa.seccomp.BpfRunner.AUDIT_ARCH_X86_64;
import static io.capsa.seccomp.BpfRunner.X32_SYSCALL_BIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.capsa.spec.Json;
import io.capsa.spec.LinuxSeccomp;
import io.capsa.sys.LibSeccomp;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiling linux.seccomp with libseccomp, checked by running the produced BPF on syscalls (x86_64 numbers).
 *
 * <p>docker-default.json is Docker's default profile (moby profiles/seccomp/default.json, Apache-2.0) as dockerd
 * hands it to the runtime on amd64 with the default capabilities: the "includes"/"excludes" blocks resolved for
 * amd64, kernel 6.x and Docker's 14 default capabilities, architectures from its archMap. podman-default.json is
 * podman's (containers/common pkg/seccomp/seccomp.json, Apache-2.0) resolved the same way for podman's 11 default
 * capabilities.
 */
class SeccompTest {
    // x86_64 syscall numbers
    static final int READ = 0, SOCKET = 41, CLONE = 56, KILL = 62, MKDIR = 83, PTRACE = 101, PERSONALITY = 135,
            CHROOT = 161, UNSHARE = 272, MKDIRAT = 258, CLONE3 = 435, GETPID = 39;
    static final int I386_MKDIR = 39, I386_CHOWN32 = 212;
    // verdicts
    static final int RET_KILL_PROCESS = 0x80000000, RET_KILL_THREAD = 0, RET_TRAP = 0x00030000,
            RET_ERRNO = 0x00050000, RET_NOTIFY = 0x7fc00000, RET_TRACE = 0x7ff00000, RET_LOG = 0x7ffc0000,
            RET_ALLOW = 0x7fff0000;

    @TempDir Path tmp;

    @BeforeAll
    static void needsLibseccomp() {
        assumeTrue(LibSeccomp.available(), "libseccomp.so.2 is not installed");
        assumeTrue(System.getProperty("os.arch").equals("amd64"), "syscall numbers below are x86_64's");
    }

    static LinuxSeccomp parse(String json) throws Exception {
        return Json.mapper().readValue(json, LinuxSeccomp.class);
    }

    static LinuxSeccomp docker() throws Exception {
        return resource("docker-default.json");
    }

    static LinuxSeccomp resource(String name) throws Exception {
        try (InputStream in = SeccompTest.class.getResourceAsStream(name)) {
            return Json.mapper().readValue(in, LinuxSeccomp.class);
        }
    }

    static BpfRunner run(Seccomp.Program p) {
        return new BpfRunner(p.bpf());
    }

    @Test
    void dockerDefaultProfile() throws Exception {
        Seccomp.Program p = Seccomp.compile(docker());
        assertThat(p.bpf().length % 8).isZero();
        assertThat(p.instructions()).isBetween(100, 4096);
        assertThat(p.flags()).isEqualTo(Seccomp.FLAG_SPEC_ALLOW); // no flags given: runc's default
        assertThat(p.hasListener()).isFalse();
        BpfRunner f = run(p);
        // allowed outright
        for (int nr : new int[] {READ, GETPID, MKDIR, MKDIRAT, KILL})
            assertThat(f.run(AUDIT_ARCH_X86_64, nr)).as("nr %d", nr).isEqualTo(RET_ALLOW);
        // CAP_SYS_ADMIN only: the default action, EPERM (defaultErrnoRet 1)
        assertThat(f.run(AUDIT_ARCH_X86_64, UNSHARE)).isEqualTo(RET_ERRNO | 1);
        // CAP_SYS_CHROOT is a default capability
        assertThat(f.run(AUDIT_ARCH_X86_64, CHROOT)).isEqualTo(RET_ALLOW);
        // kernel >= 4.8: ptrace allowed
        assertThat(f.run(AUDIT_ARCH_X86_64, PTRACE)).isEqualTo(RET_ALLOW);
        // clone3 returns ENOSYS so libc falls back to clone
        assertThat(f.run(AUDIT_ARCH_X86_64, CLONE3)).isEqualTo(RET_ERRNO | 38);
        // clone: only without namespace flags (MASKED_EQ 0x7E020000 == 0)
        assertThat(f.run(AUDIT_ARCH_X86_64, CLONE, 0x11 /* SIGCHLD */)).isEqualTo(RET_ALLOW);
        assertThat(f.run(AUDIT_ARCH_X86_64, CLONE, 0x11 | 0x20000000 /* CLONE_NEWPID */)).isEqualTo(RET_ERRNO | 1);
        // socket: anything but AF_VSOCK (40)
        assertThat(f.run(AUDIT_ARCH_X86_64, SOCKET, 2)).isEqualTo(RET_ALLOW);
        assertThat(f.run(AUDIT_ARCH_X86_64, SOCKET, 40)).isEqualTo(RET_ERRNO | 1);
        // personality: five values, each its own rule
        for (long v : new long[] {0, 8, 0x20000, 0x20008, 0xffffffffL})
            assertThat(f.run(AUDIT_ARCH_X86_64, PERSONALITY, v)).as("personality(%x)", v).isEqualTo(RET_ALLOW);
        assertThat(f.run(AUDIT_ARCH_X86_64, PERSONALITY, 1)).isEqualTo(RET_ERRNO | 1);
        // the 32-bit and x32 ABIs are in the filter too
        assertThat(f.run(AUDIT_ARCH_I386, I386_MKDIR)).isEqualTo(RET_ALLOW);
        assertThat(f.run(AUDIT_ARCH_I386, I386_CHOWN32)).isEqualTo(RET_ALLOW);
        assertThat(f.run(AUDIT_ARCH_X86_64, X32_SYSCALL_BIT | MKDIR)).isEqualTo(RET_ALLOW);
        // any other architecture is killed (libseccomp's bad-arch action)
        assertThat(f.run(AUDIT_ARCH_AARCH64, 34)).isEqualTo(RET_KILL_THREAD);
    }

    @Test
    void podmanDefaultProfile() throws Exception {
        BpfRunner f = run(Seccomp.compile(resource("podman-default.json")));
        assertThat(f.run(AUDIT_ARCH_X86_64, MKDIR)).isEqualTo(RET_ALLOW);
        assertThat(f.run(AUDIT_ARCH_X86_64, UNSHARE)).isEqualTo(RET_ALLOW); // podman allows it
        assertThat(f.run(AUDIT_ARCH_X86_64, CLONE3)).isEqualTo(RET_ALLOW);
        assertThat(f.run(AUDIT_ARCH_X86_64, PTRACE)).isEqualTo(RET_ERRNO | 1); // no CAP_SYS_PTRACE
        assertThat(f.run(AUDIT_ARCH_X86_64, 246 /* kexec_load */)).isEqualTo(RET_ERRNO | 1);
        assertThat(f.run(AUDIT_ARCH_X86_64, 153 /* vhangup */)).isEqualTo(RET_ERRNO | 1);
        assertThat(f.run(AUDIT_ARCH_X86_64, 999)).isEqualTo(RET_ERRNO | 38); // unknown: ENOSYS
        // no CAP_AUDIT_WRITE: netlink audit sockets fail with EINVAL, other sockets work
        assertThat(f.run(AUDIT_ARCH_X86_64, SOCKET, 16, 3, 9)).isEqualTo(RET_ERRNO | 22);
        assertThat(f.run(AUDIT_ARCH_X86_64, SOCKET, 16, 3, 0)).isEqualTo(RET_ALLOW);
        assertThat(f.run(AUDIT_ARCH_X86_64, SOCKET, 2, 1, 0)).isEqualTo(RET_ALLOW);
    }

    @Test
    void actionsErrnoAndArguments() throws Exception {
        Seccomp.Program p = Seccomp.compile(parse("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                  {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"},
                  {"names": ["mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 95},
                  {"names": ["kill"], "action": "SCMP_ACT_KILL_PROCESS", "args": [{"index": 1, "value": 10, "op": "SCMP_CMP_EQ"}]},
                  {"names": ["getpid"], "action": "SCMP_ACT_TRAP"},
                  {"names": ["ptrace"], "action": "SCMP_ACT_TRACE", "errnoRet": 7},
                  {"names": ["chroot"], "action": "SCMP_ACT_LOG"},
                  {"names": ["unshare"], "action": "SCMP_ACT_KILL"},
                  {"names": ["clone3"], "action": "SCMP_ACT_KILL_THREAD"},
                  {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 97,
                   "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_GE"}, {"index": 1, "value": 3, "valueTwo": 1, "op": "SCMP_CMP_MASKED_EQ"}]},
                  {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
                   "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}, {"index": 0, "value": 9, "op": "SCMP_CMP_EQ"}]},
                  {"names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 2, "value": 100, "op": "SCMP_CMP_GT"}]},
                  {"names": ["clone"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 5, "op": "SCMP_CMP_LT"}]}
                ]}"""));
        BpfRunner f = run(p);
        assertThat(f.run(AUDIT_ARCH_X86_64, MKDIR)).isEqualTo(RET_ERRNO | 1); // EPERM without errnoRet
        assertThat(f.run(AUDIT_ARCH_X86_64, MKDIRAT)).isEqualTo(RET_ERRNO | 95);
        assertThat(f.run(AUDIT_ARCH_X86_64, KILL, 1, 10)).isEqualTo(RET_KILL_PROCESS);
        assertThat(f.run(AUDIT_ARCH_X86_64, KILL, 1, 15)).isEqualTo(RET_ALLOW);
        assertThat(f.run(AUDIT_ARCH_X86_64, GETPID)).isEqualTo(RET_TRAP);
        assertThat(f.run(AUDIT_ARCH_X86_64, PTRACE)).isEqualTo(RET_TRACE | 7);
        assertThat(f.run(AUDIT_ARCH_X86_64, CHROOT)).isEqualTo(RET_LOG);
        assertThat(f.run(AUDIT_ARCH_X86_64, UNSHARE)).isEqualTo(RET_KILL_THREAD);
        assertThat(f.run(AUDIT_ARCH_X86_64, CLONE3)).isEqualTo(RET_KILL_THREAD);
        // conditions on distinct arguments: all must hold
        assertThat(f.run(AUDIT_ARCH_X86_64, SOCKET, 2, 1)).isEqualTo(RET_ERRNO | 97); // 2 >= 2 and (1 & 3) == 1
        assertThat(f.run(AUDIT_ARCH_X86_64, SOCKET, 2, 2)).isEqualTo(RET_ALLOW);
        assertThat(f.run(AUDIT_ARCH_X86_64, SOCKET, 1, 1)).isEqualTo(RET_ALLOW);
        // two conditions on the same argument: separate rules, either matches
        assertThat(f.run(AUDIT_ARCH_X86_64, PERSONALITY, 8)).isEqualTo(RET_ERRNO | 22);
        assertThat(f.run(AUDIT_ARCH_X86_64, PERSONALITY, 9)).isEqualTo(RET_ERRNO | 22);
        assertThat(f.run(AUDIT_ARCH_X86_64, PERSONALITY, 10)).isEqualTo(RET_ALLOW);
        assertThat(f.run(AUDIT_ARCH_X86_64, READ, 0, 0, 101)).isEqualTo(RET_ERRNO | 1);
        assertThat(f.run(AUDIT_ARCH_X86_64, READ, 0, 0, 100)).isEqualTo(RET_ALLOW);
        assertThat(f.run(AUDIT_ARCH_X86_64, CLONE, 4)).isEqualTo(RET_ERRNO | 1);
        assertThat(f.run(AUDIT_ARCH_X86_64, CLONE, 5)).isEqualTo(RET_ALLOW);
        // 64-bit values: the high word is compared too
        assertThat(f.run(AUDIT_ARCH_X86_64, READ, 0, 0, 1L << 32)).isEqualTo(RET_ERRNO | 1);
    }

    @Test
    void defaultErrnoRetAndRedundantRules() throws Exception {
        BpfRunner f = run(Seccomp.compile(parse("""
                {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38, "syscalls": [
                  {"names": ["getpid", "read"], "action": "SCMP_ACT_ALLOW"},
                  {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}
                ]}""")));
        assertThat(f.run(AUDIT_ARCH_X86_64, GETPID)).isEqualTo(RET_ALLOW);
        assertThat(f.run(AUDIT_ARCH_X86_64, MKDIR)).isEqualTo(RET_ERRNO | 38);
        assertThat(f.run(AUDIT_ARCH_X86_64, UNSHARE)).isEqualTo(RET_ERRNO | 38);
    }

    @Test
    void unknownSyscallNamesAreSkipped() throws Exception {
        Seccomp.Program with = Seccomp.compile(parse("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                  {"names": ["no_such_syscall", "mkdir", "another_unknown_one"], "action": "SCMP_ACT_ERRNO"},
                  {"names": ["only_unknown"], "action": "SCMP_ACT_KILL"}]}"""));
        Seccomp.Program without = Seccomp.compile(parse("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}"""));
        assertThat(with.bpf()).isEqualTo(without.bpf());
        assertThat(run(with).run(AUDIT_ARCH_X86_64, MKDIR)).isEqualTo(RET_ERRNO | 1);
    }

    @Test
    void disabledWhenNothingIsAsked() throws Exception {
        assertThat(Seccomp.compile(parse("{}"))).isNull();
        assertThat(Seccomp.compile(null)).isNull();
    }

    @Test
    void errorsNameTheField() {
        String four = """
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                  {"names": ["a"], "action": "SCMP_ACT_ERRNO"}, {"names": ["b"], "action": "SCMP_ACT_ERRNO"},
                  {"names": ["c"], "action": "SCMP_ACT_ERRNO"}, {"names": ["d"], "action": "SCMP_ACT_FOO"}]}""";
        assertThatThrownBy(() -> Seccomp.compile(parse(four)))
                .isInstanceOf(SeccompException.class)
                .hasMessage("linux.seccomp.syscalls[3].action: unknown action \"SCMP_ACT_FOO\"");
        assertThatThrownBy(() -> Seccomp.compile(parse("{\"defaultAction\": \"SCMP_ACT_BAR\"}")))
                .hasMessage("linux.seccomp.defaultAction: unknown action \"SCMP_ACT_BAR\"");
        assertThatThrownBy(() -> Seccomp.compile(parse(
                "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_Z80\"]}")))
                .hasMessage("linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_Z80\"");
        assertThatThrownBy(() -> Seccomp.compile(parse("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO",
                  "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 1, "op": "SCMP_CMP_ABOUT"}]}]}""")))
                .hasMessage("linux.seccomp.syscalls[0].args[1].op: unknown operator \"SCMP_CMP_ABOUT\"");
        assertThatThrownBy(() -> Seccomp.compile(parse("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO",
                  "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]}""")))
                .hasMessage("linux.seccomp.syscalls[0].args[0].index: 6 is out of range (0 to 5)");
        assertThatThrownBy(() -> Seccomp.compile(parse(
                "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\", \"SECCOMP_FILTER_FLAG_X\"]}")))
                .hasMessage("linux.seccomp.flags[1]: unknown flag \"SECCOMP_FILTER_FLAG_X\"");
        assertThatThrownBy(() -> Seccomp.compile(parse("{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}")))
                .hasMessage("linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be used as default action");
        assertThatThrownBy(() -> Seccomp.compile(parse(
                "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}")))
                .hasMessage("linux.seccomp.listenerPath: required when an action is SCMP_ACT_NOTIFY");
        assertThatThrownBy(() -> Seccomp.compile(parse("""
                {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/agent.sock",
                 "syscalls": [{"names": ["mkdir", "write"], "action": "SCMP_ACT_NOTIFY"}]}""")))
                .hasMessageStartingWith("linux.seccomp.syscalls[0].names[1]: SCMP_ACT_NOTIFY cannot be used for the write syscall");
        assertThatThrownBy(() -> Seccomp.compile(parse(
                "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [], \"action\": \"SCMP_ACT_ERRNO\"}]}")))
                .hasMessage("linux.seccomp.syscalls[0].names: must not be empty");
        assertThatThrownBy(() -> Seccomp.compile(parse(
                "{\"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\"}]}")))
                .hasMessage("linux.seccomp.defaultAction: required when syscalls are given");
        assertThatThrownBy(() -> Seccomp.compile(parse(
                "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 70000}]}")))
                .hasMessage("linux.seccomp.syscalls[0].errnoRet: 70000 does not fit in 16 bits");
    }

    @Test
    void flags() throws Exception {
        String base = "{\"defaultAction\": \"SCMP_ACT_ALLOW\"%s}";
        assertThat(Seccomp.compile(parse(base.formatted(""))).flags()).isEqualTo(Seccomp.FLAG_SPEC_ALLOW);
        assertThat(Seccomp.compile(parse(base.formatted(", \"flags\": []"))).flags()).isZero();
        assertThat(Seccomp.compile(parse(base.formatted(", \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\", \"SECCOMP_FILTER_FLAG_TSYNC\"]"))).flags())
                .isEqualTo(Seccomp.FLAG_LOG | Seccomp.FLAG_TSYNC);
        // waiting killably only means something with a listener; then TSYNC needs TSYNC_ESRCH
        assertThat(Seccomp.compile(parse(base.formatted(", \"flags\": [\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"]"))).flags()).isZero();
        Seccomp.Program n = Seccomp.compile(parse("""
                {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/agent.sock", "listenerMetadata": "m",
                 "flags": ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"],
                 "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}"""));
        assertThat(n.flags()).isEqualTo(Seccomp.FLAG_TSYNC | Seccomp.FLAG_TSYNC_ESRCH | Seccomp.FLAG_NEW_LISTENER
                | Seccomp.FLAG_WAIT_KILLABLE_RECV);
        assertThat(n.listenerPath()).isEqualTo("/run/agent.sock");
        assertThat(n.listenerMetadata()).isEqualTo("m");
        assertThat(run(n).run(AUDIT_ARCH_X86_64, MKDIR)).isEqualTo(RET_NOTIFY);
    }

    @Test
    void cacheHitReturnsTheSameProgramAndCorruptEntriesAreIgnored() throws Exception {
        Path cache = tmp.resolve("cache");
        LinuxSeccomp s = docker();
        Seccomp.Program cold = Seccomp.compile(s, cache);
        List<Path> files;
        try (Stream<Path> l = Files.list(cache)) {
            files = l.toList();
        }
        assertThat(files).hasSize(1);
        Path entry = files.getFirst();
        assertThat(entry).isEqualTo(Seccomp.cacheFile(s, cache));
        assertThat(entry.getFileName().toString()).matches("[0-9a-f]{32}\\.bpf");
        assertThat(Files.getPosixFilePermissions(entry)).isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        assertThat(Files.getPosixFilePermissions(cache)).isEqualTo(Set.of(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE));
        byte[] key = Seccomp.cacheKey(s);
        assertThat(new String(key, java.nio.charset.StandardCharsets.UTF_8)).contains("libseccomp.so.2", "SCMP_ACT_ERRNO");

        // a hit reads the entry: prove it by planting a different valid program under the same key
        Seccomp.Program other = Seccomp.compile(parse("{\"defaultAction\": \"SCMP_ACT_ALLOW\"}"));
        byte[] original = Files.readAllBytes(entry);
        Seccomp.writeCache(entry, key, other.bpf());
        assertThat(Seccomp.compile(s, cache).bpf()).isEqualTo(other.bpf());
        Files.write(entry, original);
        Seccomp.Program hit = Seccomp.compile(s, cache);
        assertThat(hit.bpf()).isEqualTo(cold.bpf());
        assertThat(hit.flags()).isEqualTo(cold.flags());

        // an entry of another key under this name (a hash collision) is not used
        byte[] otherKey = key.clone();
        otherKey[otherKey.length - 2] ^= 1;
        Seccomp.writeCache(entry, otherKey, other.bpf());
        assertThat(Seccomp.readCache(entry, key)).isNull();
        assertThat(Seccomp.compile(s, cache).bpf()).isEqualTo(cold.bpf());

        // corrupt: a flipped program byte, truncated, empty: recompiled (same program) and the entry repaired
        for (int damage = 0; damage < 3; damage++) {
            byte[] b = Files.readAllBytes(entry);
            switch (damage) {
                case 0 -> { b[b.length - 3] ^= 1; Files.write(entry, b); }
                case 1 -> Files.write(entry, java.util.Arrays.copyOf(b, b.length - 5));
                default -> Files.write(entry, new byte[0]);
            }
            assertThat(Seccomp.readCache(entry, key)).isNull();
            assertThat(Seccomp.compile(s, cache).bpf()).isEqualTo(cold.bpf());
            assertThat(Seccomp.readCache(entry, key)).isEqualTo(cold.bpf());
        }
        // the listener fields do not change the key; the profile does
        LinuxSeccomp withListener = new LinuxSeccomp(s.defaultAction(), s.defaultErrnoRet(), s.architectures(),
                s.flags(), "/run/x.sock", "meta", s.syscalls());
        assertThat(Seccomp.cacheFile(withListener, cache)).isEqualTo(entry);
        LinuxSeccomp otherErrno = new LinuxSeccomp(s.defaultAction(), 38L, s.architectures(), s.flags(), null, null, s.syscalls());
        assertThat(Seccomp.cacheFile(otherErrno, cache)).isNotEqualTo(entry);
        try (Stream<Path> l = Files.list(cache)) {
            assertThat(l.toList()).containsExactly(entry); // no temporary files left behind
        }
    }

    @Test
    void unwritableCacheOnlyCostsTime() throws Exception {
        Path notADir = tmp.resolve("file");
        Files.writeString(notADir, "x");
        Seccomp.Program p = Seccomp.compile(docker(), notADir.resolve("cache"));
        assertThat(p.bpf()).isEqualTo(Seccomp.compile(docker()).bpf());
        // a missing runtime root is not created by the cache (the state store creates it, with its own mode)
        Seccomp.compile(docker(), tmp.resolve("no-root/cache"));
        assertThat(tmp.resolve("no-root")).doesNotExist();
    }
}
