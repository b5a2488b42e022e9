package io.capsa.front;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the front end keeps about one container ({@code containers/ID/container.json} under the store root):
 * everything {@code ps}, {@code inspect}, {@code logs}, {@code stop} and {@code rm} need besides the runtime's
 * own state. A plain mutable document: loaded, changed and saved (atomically) by {@link ContainerStore}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public final class ContainerRecord {
    /** Life cycle as recorded; {@link Containers#status} derives the live one from the runtime. */
    public static final String CREATED = "created", RUNNING = "running", EXITED = "exited";

    /** 64 lower-case hex digits; the first 12 are the short id. */
    public String id;
    public String name;
    /** The image as the user named it, and the image id (sha256:...) it resolved to. */
    public String image;
    public String imageId;
    public String created;
    /** The container's process: argv as run (after entrypoint and cmd were combined). */
    public List<String> command = new ArrayList<>();
    /** The entrypoint and cmd that made {@link #command} (Docker's Config.Entrypoint and Config.Cmd), and the
     *  user as given (-u or the image's User; empty: the image's default). Null in records of older versions. */
    public List<String> entrypoint;
    public List<String> cmd;
    public String user;
    public String status = CREATED;
    public Integer exitCode;
    public String startedAt;
    public String finishedAt;
    /** Why a container could not be started (the runtime's message), if it could not. */
    public String error;
    public boolean detached;
    public boolean interactive;
    public boolean tty;
    public boolean autoRemove;
    public String stopSignal;
    public Integer stopTimeout;
    public String hostname;
    public String network;
    public String cgroupsPath;
    /** stdout and stderr of a detached container (null when it ran attached). */
    public String logPath;
    public String rootfs;
    public String bundle;
    public List<String> exposedPorts = new ArrayList<>();
    /** Volume directories created for this container alone (anonymous volumes): removed with it by --rm / rm -v. */
    public List<String> anonymousVolumes = new ArrayList<>();
    public List<MountPoint> mounts = new ArrayList<>();
    public Map<String, String> labels = new LinkedHashMap<>();

    /** A mount as {@code inspect} shows it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record MountPoint(String type, String name, String source, String destination, boolean rw, String propagation) {}

    public String shortId() {
        return id.substring(0, 12);
    }
}
