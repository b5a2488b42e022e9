package io.capsa.state;

import java.util.Map;

/**
 * What the runtime keeps about one container in {@code <root>/<id>/state.json}.
 * {@code phase} is "creating" until create has finished, then "created"; the live status (running, paused,
 * stopped) is derived from the process and the exec fifo, never stored. {@code configJson} is the config the
 * container was created from (poststop hooks, resources for update, the base process of exec).
 *
 * <p>No Jackson annotations: the binders already omit nulls and ignore unknown properties, and every annotation
 * type read costs each command a dynamic proxy class (several ms on a cold JVM); every command reads this.
 */
public record ContainerState(
        String id,
        String phase,
        String bundle,
        String rootfs,
        Long pid,
        Long pidStartTime,
        String created,
        String owner,
        String cgroupsPath,
        Map<String, String> annotations,
        String configJson) {

    public ContainerState withPid(long pid, long startTime) {
        return new ContainerState(id, phase, bundle, rootfs, pid, startTime, created, owner, cgroupsPath, annotations, configJson);
    }

    public ContainerState withPhase(String phase) {
        return new ContainerState(id, phase, bundle, rootfs, pid, pidStartTime, created, owner, cgroupsPath, annotations, configJson);
    }
}
