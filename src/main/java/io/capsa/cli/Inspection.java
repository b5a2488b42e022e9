package io.capsa.cli;

import io.capsa.front.ContainerRecord;
import io.capsa.front.Containers;
import io.capsa.image.Image;
import io.capsa.image.ImageConfig;
import io.capsa.spec.ProcessSpec;
import io.capsa.spec.Spec;
import io.capsa.spec.SpecLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code capsa inspect}'s JSON: Docker's field names for what Capsa has. */
final class Inspection {
    private Inspection() {}

    static Map<String, Object> container(Containers cs, ContainerRecord r) {
        Containers.Status s = cs.status(r);
        Spec spec = null;
        Path config = r.bundle == null ? null : Path.of(r.bundle, "config.json");
        if (config != null && Files.isRegularFile(config)) spec = SpecLoader.readFile(config, Spec.class);
        ProcessSpec p = spec == null ? null : spec.process();

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", r.id);
        m.put("Created", r.created);
        m.put("Path", r.command.isEmpty() ? "" : r.command.getFirst());
        m.put("Args", r.command.size() > 1 ? r.command.subList(1, r.command.size()) : List.of());
        Map<String, Object> st = new LinkedHashMap<>();
        st.put("Status", s.state());
        st.put("Running", s.running());
        st.put("Paused", s.state().equals("paused"));
        st.put("Pid", s.pid());
        st.put("ExitCode", s.exitCode() == null ? 0 : s.exitCode());
        st.put("Error", r.error == null ? "" : r.error);
        st.put("StartedAt", r.startedAt == null ? "0001-01-01T00:00:00Z" : r.startedAt);
        st.put("FinishedAt", r.finishedAt == null ? "0001-01-01T00:00:00Z" : r.finishedAt);
        m.put("State", st);
        m.put("Image", r.imageId);
        m.put("Name", "/" + r.name);
        m.put("LogPath", r.logPath == null ? "" : r.logPath);
        Path dir = cs.store().dir(r.id);
        m.put("HostnamePath", dir.resolve("hostname").toString());
        m.put("HostsPath", dir.resolve("hosts").toString());
        m.put("ResolvConfPath", dir.resolve("resolv.conf").toString());
        m.put("Bundle", r.bundle);
        m.put("Rootfs", r.rootfs);

        Map<String, Object> host = new LinkedHashMap<>();
        host.put("NetworkMode", r.network);
        host.put("AutoRemove", r.autoRemove);
        host.put("CgroupParent", r.cgroupsPath == null ? "" : r.cgroupsPath.substring(0, r.cgroupsPath.lastIndexOf('/')));
        host.put("CgroupsPath", r.cgroupsPath);
        if (spec != null && spec.linux() != null && spec.linux().resources() != null) {
            var res = spec.linux().resources();
            host.put("Memory", res.memory() == null || res.memory().limit() == null ? 0 : res.memory().limit());
            host.put("MemorySwap", res.memory() == null || res.memory().swap() == null ? 0 : res.memory().swap());
            host.put("CpuShares", res.cpu() == null || res.cpu().shares() == null ? 0 : res.cpu().shares());
            host.put("CpuQuota", res.cpu() == null || res.cpu().quota() == null ? 0 : res.cpu().quota());
            host.put("CpuPeriod", res.cpu() == null || res.cpu().period() == null ? 0 : res.cpu().period());
            host.put("CpusetCpus", res.cpu() == null || res.cpu().cpus() == null ? "" : res.cpu().cpus());
            host.put("PidsLimit", res.pids() == null ? null : res.pids().limit());
        }
        if (spec != null) {
            host.put("ReadonlyRootfs", spec.root() != null && Boolean.TRUE.equals(spec.root().readonly()));
            host.put("CapAdd", null);
            host.put("Capabilities", p == null || p.capabilities() == null ? List.of() : p.capabilities().bounding());
            host.put("SecurityOpt", p != null && Boolean.TRUE.equals(p.noNewPrivileges()) ? List.of("no-new-privileges") : null);
        }
        m.put("HostConfig", host);

        List<Map<String, Object>> mounts = new ArrayList<>();
        for (ContainerRecord.MountPoint mp : r.mounts) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("Type", mp.type());
            if (mp.name() != null) x.put("Name", mp.name());
            x.put("Source", mp.source());
            x.put("Destination", mp.destination());
            x.put("RW", mp.rw());
            x.put("Propagation", mp.propagation());
            mounts.add(x);
        }
        m.put("Mounts", mounts);

        Map<String, Object> c = new LinkedHashMap<>();
        c.put("Hostname", r.hostname);
        String user = r.user;
        if (user == null) user = p == null || p.user() == null ? "" : p.user().uid() + ":" + p.user().gid();
        c.put("User", user);
        c.put("Tty", r.tty);
        c.put("OpenStdin", r.interactive);
        Map<String, Object> ports = new LinkedHashMap<>();
        for (String port : r.exposedPorts) ports.put(port, Map.of());
        c.put("ExposedPorts", ports);
        c.put("Env", p == null ? List.of() : p.env());
        c.put("Cmd", r.cmd != null ? (r.cmd.isEmpty() ? null : r.cmd) : r.command);
        c.put("Entrypoint", r.entrypoint == null || r.entrypoint.isEmpty() ? null : r.entrypoint);
        c.put("Image", r.image);
        c.put("WorkingDir", p == null ? "" : p.cwd());
        c.put("Labels", r.labels);
        c.put("StopSignal", r.stopSignal);
        if (r.stopTimeout != null) c.put("StopTimeout", r.stopTimeout);
        m.put("Config", c);
        return m;
    }

    static Map<String, Object> image(Image img) {
        Map<String, Object> m = new LinkedHashMap<>();
        ImageConfig cfg = img.config();
        m.put("Id", img.id().toString());
        List<String> tags = new ArrayList<>();
        for (String n : img.names()) tags.add(io.capsa.image.Reference.parse(n).familiar());
        m.put("RepoTags", tags);
        m.put("RepoDigests", img.repoDigests());
        m.put("Created", cfg.created() == null ? "" : cfg.created());
        m.put("Author", cfg.author() == null ? "" : cfg.author());
        m.put("Config", cfg.runConfig());
        m.put("Architecture", cfg.architecture());
        if (cfg.variant() != null) m.put("Variant", cfg.variant());
        m.put("Os", cfg.os());
        m.put("Size", img.size());
        Map<String, Object> rootfs = new LinkedHashMap<>();
        rootfs.put("Type", "layers");
        rootfs.put("Layers", img.diffIds().stream().map(Object::toString).toList());
        m.put("RootFS", rootfs);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("Added", img.added() == null ? null : img.added().toString());
        meta.put("ManifestDigest", img.manifestDigest().toString());
        m.put("Metadata", meta);
        return m;
    }
}
