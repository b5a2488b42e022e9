package io.capsa.spec;

/** OCI runtime-spec versions Capsa speaks. */
public final class OciVersion {
    private OciVersion() {
    }

    /** The version Capsa implements (written into default specs, state and features). */
    public static final String CURRENT = "1.2.1";
    /** Oldest config version accepted. */
    public static final String MIN = "1.0.0";
    /** Supported major version. */
    public static final int MAJOR = 1;

    /**
     * The major number of a SemVer 2.0 version string, or -1 if it is not one ("1.0.2-dev" and "1.2.0+x"
     * are valid; "1", "v1.0.0" and "1.0" are not).
     */
    public static int major(String version) {
        if (version == null) {
            return -1;
        }
        if (!version.matches("(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)"
                + "(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?")) {
            return -1;
        }
        try {
            return Integer.parseInt(version.substring(0, version.indexOf('.')));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
