package io.capsa.front;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capsa.image.ImageConfig;
import io.capsa.spec.Json;
import io.capsa.spec.Mount;
import io.capsa.spec.Spec;
import io.capsa.spec.SpecValidator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecBuilderTest {
    @TempDir Path dir;
    Path rootfs, ctr, store;
    final List<String> warnings = new ArrayList<>();
    static final String ID = "ab".repeat(32);

    @BeforeEach
    void setUp() throws Exception {
        rootfs = dir.resolve("rootfs");
        ctr = dir.resolve("ctr");
        store = dir.resolve("store");
        Files.createDirectories(rootfs.resolve("etc"));
        Files.createDirectories(ctr);
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n");
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\napp:x:1000:\n");
    }

    private static ImageConfig.RunConfig image(List<String> entrypoint, List<String> cmd, List<String> env, String workdir,
                                               String user, String stopSignal) {
        return new ImageConfig.RunConfig(user, Map.of("80/tcp", Map.of()), env, entrypoint, cmd, null, workdir, null,
                stopSignal, null, null, null, null);
    }

    private SpecBuilder.Built build(RunOptions o, ImageConfig.RunConfig img) {
        o.image = "img";
        return new SpecBuilder(o, img, ID, rootfs, ctr, store, Map.of("FROM_CALLER", "c"), dir, warnings::add).build();
    }

    @Test
    void imageConfigAndDefaultsAsDocker() {
        SpecBuilder.Built b = build(new RunOptions(), image(List.of("/entry"), List.of("serve", "--port", "80"),
                List.of("PATH=/opt/bin:/bin", "LANG=C"), "/srv/app", "app", "SIGQUIT"));
        Spec s = b.spec();
        assertThat(s.process().args()).containsExactly("/entry", "serve", "--port", "80");
        assertThat(s.process().env()).containsExactly("PATH=/opt/bin:/bin", "HOSTNAME=" + ID.substring(0, 12), "LANG=C", "HOME=/home/app");
        assertThat(s.process().cwd()).isEqualTo("/srv/app");
        assertThat(rootfs.resolve("srv/app")).isDirectory();
        assertThat(s.process().user().uid()).isEqualTo(1000);
        assertThat(s.process().user().gid()).isEqualTo(1000);
        assertThat(s.process().capabilities().bounding()).containsExactlyElementsOf(SpecBuilder.DEFAULT_CAPS);
        assertThat(s.process().capabilities().inheritable()).isNull();
        assertThat(s.process().noNewPrivileges()).isFalse();
        assertThat(s.process().terminal()).isFalse();
        assertThat(s.hostname()).isEqualTo(ID.substring(0, 12));
        assertThat(s.root().path()).isEqualTo(rootfs.toString());
        assertThat(s.root().readonly()).isFalse();
        assertThat(s.linux().cgroupsPath()).isEqualTo("/capsa/" + ID);
        assertThat(s.linux().namespaces()).extracting(n -> n.type()).contains("pid", "network", "ipc", "uts", "mount");
        assertThat(s.linux().maskedPaths()).contains("/proc/kcore", "/sys/firmware");
        assertThat(s.linux().readonlyPaths()).contains("/proc/sys");
        assertThat(s.mounts()).extracting(Mount::destination).contains("/proc", "/dev", "/sys", "/etc/hostname", "/etc/hosts", "/etc/resolv.conf");
        assertThat(s.mounts().stream().filter(m -> m.destination().equals("/etc/hosts")).findFirst().orElseThrow().source())
                .isEqualTo(ctr.resolve("hosts").toString());
        assertThat(b.stopSignal()).isEqualTo("SIGQUIT");
        assertThat(b.exposedPorts()).containsExactly("80/tcp");
        assertThat(b.files().get("hostname")).isEqualTo(ID.substring(0, 12) + "\n");
        // what it builds passes the runtime's own validation
        Spec again = io.capsa.spec.SpecLoader.parse(Json.toIndentedJson(s), Spec.class, "config.json");
        SpecValidator.validate(again, ctr);
    }

    @Test
    void flagsOverrideTheImage() {
        RunOptions o = new RunOptions();
        o.command = List.of("echo", "hi");
        o.entrypoint = "";
        o.env = List.of("LANG=fr", "FROM_CALLER", "NOT_SET_HERE", "NEW=1");
        o.user = "0:1000";
        o.workdir = "/w";
        o.tty = true;
        o.readOnly = true;
        o.hostname = "box";
        o.memory = 64L << 20;
        o.cpus = "0.5";
        o.pidsLimit = 10L;
        o.capAdd = List.of("net_admin");
        o.capDrop = List.of("CAP_CHOWN", "mknod");
        o.securityOpts = List.of("no-new-privileges");
        o.ulimits = List.of("nofile=10:20", "nproc=-1");
        o.network = "host";
        o.cgroupParent = "/test-parent/";
        o.tmpfs = List.of("/run:size=1m,exec");
        o.init = false;
        SpecBuilder.Built b = build(o, image(List.of("/entry"), List.of("x"), List.of("LANG=C"), "/srv", "app", null));
        Spec s = b.spec();
        assertThat(s.process().args()).containsExactly("echo", "hi");
        assertThat(s.process().env()).contains("LANG=fr", "FROM_CALLER=c", "NEW=1", "TERM=xterm", "HOME=/root")
                .noneMatch(e -> e.startsWith("NOT_SET_HERE"));
        assertThat(s.process().user().uid()).isZero();
        assertThat(s.process().user().gid()).isEqualTo(1000);
        assertThat(s.process().terminal()).isTrue();
        assertThat(s.root().readonly()).isTrue();
        assertThat(s.hostname()).isEqualTo("box");
        assertThat(s.linux().resources().memory().limit()).isEqualTo(64L << 20);
        assertThat(s.linux().resources().cpu().quota()).isEqualTo(50_000);
        assertThat(s.linux().resources().cpu().period()).isEqualTo(100_000);
        assertThat(s.linux().resources().pids().limit()).isEqualTo(10);
        assertThat(s.process().capabilities().bounding()).contains("CAP_NET_ADMIN").doesNotContain("CAP_CHOWN", "CAP_MKNOD");
        assertThat(s.process().noNewPrivileges()).isTrue();
        assertThat(s.process().rlimits()).extracting(r -> r.type() + "=" + r.soft() + ":" + r.hard())
                .containsExactly("RLIMIT_NOFILE=10:20", "RLIMIT_NPROC=-1:-1");
        assertThat(s.linux().namespaces()).extracting(n -> n.type()).doesNotContain("network");
        assertThat(s.linux().cgroupsPath()).isEqualTo("/test-parent/" + ID);
        Mount run = s.mounts().stream().filter(m -> m.destination().equals("/run")).findFirst().orElseThrow();
        assertThat(run.type()).isEqualTo("tmpfs");
        assertThat(run.options()).containsExactly("nosuid", "nodev", "size=1048576");
    }

    @Test
    void volumesBindsAndTheImagesVolumes() throws Exception {
        Files.createDirectories(rootfs.resolve("data"));
        Files.writeString(rootfs.resolve("data/seed"), "seed");
        RunOptions o = new RunOptions();
        o.command = List.of("true");
        o.volumes = List.of("./host:/h:ro", "named:/n", "/anon");
        o.mounts = List.of("type=bind,source=host,target=/b,readonly", "type=tmpfs,target=/t,tmpfs-size=2m");
        ImageConfig.RunConfig img = new ImageConfig.RunConfig(null, null, null, null, null, Map.of("/data", Map.of()), null,
                null, null, null, null, null, null);
        SpecBuilder.Built b = build(o, img);
        assertThat(dir.resolve("host")).isDirectory(); // -v creates a missing host directory
        Map<String, Mount> byDest = new java.util.HashMap<>();
        for (Mount m : b.spec().mounts()) byDest.put(m.destination(), m);
        assertThat(byDest.get("/h").source()).isEqualTo(dir.resolve("host").toString());
        assertThat(byDest.get("/h").options()).containsExactly("rbind", "rprivate", "ro");
        assertThat(byDest.get("/n").source()).isEqualTo(store.resolve("volumes/named/_data").toString());
        assertThat(byDest.get("/b").options()).contains("ro");
        assertThat(byDest.get("/t").options()).contains("size=2097152");
        assertThat(b.anonymousVolumes()).hasSize(2); // /anon and the image's /data
        Path data = Path.of(byDest.get("/data").source());
        assertThat(data.resolve("seed")).hasContent("seed"); // copied up from the image
        assertThat(b.mounts()).extracting(ContainerRecord.MountPoint::destination).contains("/h", "/n", "/anon", "/b", "/t", "/data");

        RunOptions dup = new RunOptions();
        dup.command = List.of("true");
        dup.volumes = List.of("/x", "named:/x");
        assertThatThrownBy(() -> build(dup, null)).hasMessageContaining("Duplicate mount point: /x");
    }

    @Test
    void badInputIsNamed() {
        RunOptions none = new RunOptions();
        assertThatThrownBy(() -> build(none, null)).hasMessage("No command specified");
        RunOptions rel = new RunOptions();
        rel.command = List.of("true");
        rel.workdir = "rel";
        assertThatThrownBy(() -> build(rel, null)).hasMessageContaining("the working directory 'rel' is invalid");
        RunOptions bridge = new RunOptions();
        bridge.command = List.of("true");
        bridge.network = "bridge";
        assertThatThrownBy(() -> build(bridge, null)).hasMessageContaining("bridge networks are not supported yet");
        RunOptions cap = new RunOptions();
        cap.command = List.of("true");
        cap.capAdd = List.of("FLY");
        assertThatThrownBy(() -> build(cap, null)).hasMessageContaining("--cap-add FLY: unknown capability");
        RunOptions seccomp = new RunOptions();
        seccomp.command = List.of("true");
        seccomp.securityOpts = List.of("seccomp=/x.json");
        assertThatThrownBy(() -> build(seccomp, null)).hasMessageContaining("seccomp");
        RunOptions swap = new RunOptions();
        swap.command = List.of("true");
        swap.memorySwap = 1L << 30;
        assertThatThrownBy(() -> build(swap, null)).hasMessageContaining("Memory limit");
        RunOptions vol = new RunOptions();
        vol.command = List.of("true");
        vol.volumes = List.of("bad name:/x");
        assertThatThrownBy(() -> build(vol, null)).hasMessageContaining("invalid characters for a local volume name");
        RunOptions dest = new RunOptions();
        dest.command = List.of("true");
        dest.volumes = List.of("/a:relative");
        assertThatThrownBy(() -> build(dest, null)).hasMessageContaining("mount path must be absolute");
    }

    @Test
    void seccompDefaultProfileFollowsTheCapabilities() throws Exception {
        RunOptions o = new RunOptions();
        o.command = List.of("true");
        var def = build(o, null).spec().linux().seccomp();
        assertThat(def.defaultAction()).isEqualTo("SCMP_ACT_ERRNO");
        assertThat(def.syscalls().stream().flatMap(r -> r.names().stream())).contains("read", "chroot").doesNotContain("mount", "unshare");
        RunOptions admin = new RunOptions();
        admin.command = List.of("true");
        admin.capAdd = List.of("SYS_ADMIN");
        var a = build(admin, null).spec().linux().seccomp();
        assertThat(a.syscalls().stream().flatMap(r -> r.names().stream())).contains("mount", "unshare", "setns", "clone3");
        assertThat(a.syscalls()).noneMatch(r -> r.names().contains("clone3") && "SCMP_ACT_ERRNO".equals(r.action()));
        RunOptions unconfined = new RunOptions();
        unconfined.command = List.of("true");
        unconfined.securityOpts = List.of("seccomp=unconfined");
        assertThat(build(unconfined, null).spec().linux().seccomp()).isNull();
        RunOptions priv = new RunOptions();
        priv.command = List.of("true");
        priv.privileged = true;
        assertThat(build(priv, null).spec().linux().seccomp()).isNull();

        // a profile in Docker's format: archMap, includes and excludes by capability
        Files.writeString(dir.resolve("profile.json"), """
                {"defaultAction": "SCMP_ACT_ERRNO", "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]},
                  {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}],
                 "syscalls": [
                  {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
                  {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
                  {"names": ["chroot"], "action": "SCMP_ACT_ALLOW", "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
                  {"names": ["arm_only"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["arm64"]}},
                  {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]}
                """);
        RunOptions file = new RunOptions();
        file.command = List.of("true");
        file.securityOpts = List.of("seccomp=profile.json");
        var f = build(file, null).spec().linux().seccomp();
        assertThat(f.architectures()).containsExactly("SCMP_ARCH_X86_64", "SCMP_ARCH_X86");
        assertThat(f.syscalls()).extracting(r -> String.join(",", r.names())).containsExactly("read,write", "chroot", "personality");
        assertThat(f.syscalls().getLast().args().getFirst().value()).isEqualTo(8);
        // the OCI form as it is
        Files.writeString(dir.resolve("oci.json"), "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
        file.securityOpts = List.of("seccomp:oci.json");
        assertThat(build(file, null).spec().linux().seccomp().defaultAction()).isEqualTo("SCMP_ACT_ALLOW");
    }
}
