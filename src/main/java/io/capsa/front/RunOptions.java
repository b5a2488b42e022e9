package io.capsa.front;

import java.util.ArrayList;
import java.util.List;

/**
 * The flags of {@code capsa run} (Docker's), parsed but not yet interpreted: {@link SpecBuilder} turns them and
 * the image's config into config.json. Sizes are bytes, -1 meaning unlimited; null means "not given".
 */
public final class RunOptions {
    public String image;
    public List<String> command = new ArrayList<>();
    public boolean remove, detach, interactive, tty, readOnly, privileged, init;
    public String name, workdir, user, hostname;
    /** null: the image's entrypoint; "": none. */
    public String entrypoint;
    public List<String> env = new ArrayList<>();
    public List<String> envFiles = new ArrayList<>();
    public List<String> volumes = new ArrayList<>();
    public List<String> mounts = new ArrayList<>();
    public List<String> tmpfs = new ArrayList<>();
    public Long memory, memorySwap, memoryReservation;
    public String cpus;
    public Long cpuShares, cpuQuota, cpuPeriod;
    public String cpusetCpus, cpusetMems;
    public Long pidsLimit;
    public List<String> devices = new ArrayList<>();
    public List<String> capAdd = new ArrayList<>();
    public List<String> capDrop = new ArrayList<>();
    public List<String> securityOpts = new ArrayList<>();
    public List<String> ulimits = new ArrayList<>();
    public List<String> sysctls = new ArrayList<>();
    public List<String> labels = new ArrayList<>();
    public List<String> groupAdd = new ArrayList<>();
    /** none (the default until bridge networks exist) or host. */
    public String network;
    /** Absolute cgroup path the container's cgroup goes under (cgroupsPath = PARENT/ID). */
    public String cgroupParent;
    public String stopSignal;
    public Integer stopTimeout;
    public Integer oomScoreAdj;
    public String shmSize;
}
