package io.capsa.image;

/**
 * What a pull (or load) reports while it runs. Layer events come from several threads at once; implementations
 * must be thread-safe. Statuses are Docker's: Waiting, Downloading, Verifying Checksum, Download complete,
 * Extracting, Pull complete, Already exists.
 */
public interface PullProgress {
    /** Reports nothing (quiet mode). */
    PullProgress QUIET = new PullProgress() {};

    /** The reference resolved to this manifest (and the index it was chosen from, or null). */
    default void resolved(Reference ref, Digest manifest, Digest index) {}

    /** A layer's state; {@code current}/{@code total} are bytes, or -1 when not applicable. */
    default void layer(Digest layer, String status, long current, long total) {}

    /** Something the user should know (e.g. a platform mismatch). */
    default void warning(String message) {}

    /** The pull finished (successfully or not). */
    default void done() {}
}
