package io.capsa.plan;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where the container's cgroup lives on the host, for mounts of type "cgroup".
 * @param unified cgroup v2 (one hierarchy, key "") rather than v1
 * @param dirs hierarchy name (v1: "memory", "cpu", "systemd", ...) to the container's directory on the host
 */
public record CgroupView(boolean unified, Map<String, Path> dirs) {}
