package io.capsa.image.store;

import io.capsa.image.ImageException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A shared or exclusive lock on a lock file, between processes (fcntl locks through {@link FileChannel#lock})
 * and between threads of this JVM (a read-write lock per file: the JVM holds the file lock once for all its
 * threads, which fcntl locks require).
 */
public final class StoreLock implements AutoCloseable {
    private static final ConcurrentHashMap<Path, Node> NODES = new ConcurrentHashMap<>();

    private static final class Node {
        final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
        FileChannel channel;
        FileLock lock;
        int sharedHolders;
    }

    private final Node node;
    private final boolean shared;
    private boolean closed;

    private StoreLock(Node node, boolean shared) {
        this.node = node;
        this.shared = shared;
    }

    /** A shared lock asked for by the thread that holds the lock exclusively: it has it already. */
    private static StoreLock held(Node node) {
        StoreLock l = new StoreLock(node, true);
        l.closed = true;
        return l;
    }

    /** Blocks until this thread holds the lock file exclusively. */
    public static StoreLock exclusive(Path file) {
        return exclusive(file, null);
    }

    /**
     * Blocks until this thread holds the lock file exclusively, holding {@code turnstile} (may be null)
     * exclusively while it waits: shared holders that come later ({@link #shared(Path, Path)} with the same
     * turnstile) wait behind it. fcntl locks have no queue: without it a steady stream of overlapping shared
     * holders would keep the exclusive one waiting for ever.
     */
    public static StoreLock exclusive(Path file, Path turnstile) {
        Node n = NODES.computeIfAbsent(file.toAbsolutePath().normalize(), k -> new Node());
        n.rw.writeLock().lock();
        try (StoreLock t = turnstile == null ? null : exclusive(turnstile)) {
            synchronized (n) {
                acquire(n, file, false);
            }
        } catch (RuntimeException e) {
            n.rw.writeLock().unlock();
            throw e;
        }
        return new StoreLock(n, false);
    }

    /** The lock file exclusively if nobody (no thread, no process) holds it now, else null: never waits. */
    public static StoreLock tryExclusive(Path file) {
        Node n = NODES.computeIfAbsent(file.toAbsolutePath().normalize(), k -> new Node());
        if (!n.rw.writeLock().tryLock()) return null;
        boolean ok = false;
        try {
            synchronized (n) {
                acquire(n, file, false, false);
                if (n.lock == null) {
                    release(n);
                    return null;
                }
            }
            ok = true;
            return new StoreLock(n, false);
        } finally {
            if (!ok) n.rw.writeLock().unlock();
        }
    }

    /**
     * Blocks until this thread holds the lock file shared (with other shared holders). In the thread that holds
     * it exclusively it returns at once (a second fcntl lock of this process would turn its exclusive one into a
     * shared one) and its close does nothing.
     */
    public static StoreLock shared(Path file) {
        return shared(file, null);
    }

    /**
     * Like {@link #shared(Path)}, but first passes {@code turnstile} (may be null; taken shared and dropped at
     * once) when this process does not hold the lock yet: it waits behind an exclusive holder that waits (see
     * {@link #exclusive(Path, Path)}). A process that holds the lock already does not wait there: the
     * exclusive one waits for it.
     */
    public static StoreLock shared(Path file, Path turnstile) {
        Node n = NODES.computeIfAbsent(file.toAbsolutePath().normalize(), k -> new Node());
        if (n.rw.isWriteLockedByCurrentThread()) return held(n);
        n.rw.readLock().lock();
        try {
            synchronized (n) {
                if (n.sharedHolders == 0) {
                    if (turnstile != null) shared(turnstile).close();
                    acquire(n, file, true);
                }
                n.sharedHolders++;
            }
        } catch (RuntimeException e) {
            n.rw.readLock().unlock();
            throw e;
        }
        return new StoreLock(n, true);
    }

    private static void acquire(Node n, Path file, boolean shared) {
        acquire(n, file, shared, true);
    }

    /** Opens the lock file and locks it, waiting if {@code wait}, else n.lock stays null when it is held. */
    private static void acquire(Node n, Path file, boolean shared, boolean wait) {
        try {
            n.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.READ);
            n.lock = wait ? n.channel.lock(0, Long.MAX_VALUE, shared) : n.channel.tryLock(0, Long.MAX_VALUE, shared);
        } catch (IOException e) {
            release(n);
            throw new ImageException("cannot lock " + file + ": " + e.getMessage(), e);
        }
    }

    private static void release(Node n) {
        try {
            if (n.lock != null) n.lock.release();
            if (n.channel != null) n.channel.close();
        } catch (IOException ignored) {
            // closing the channel drops the lock anyway
        }
        n.lock = null;
        n.channel = null;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        synchronized (node) {
            if (!shared || --node.sharedHolders == 0) release(node);
        }
        if (shared) node.rw.readLock().unlock();
        else node.rw.writeLock().unlock();
    }
}
