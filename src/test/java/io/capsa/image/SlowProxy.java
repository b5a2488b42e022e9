package io.capsa.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 in front of a test registry that passes requests through as they are and sends the
 * responses back at a limited rate: a pull through it takes long enough to be interrupted, or to overlap with
 * another pull. Counts the bytes it sent back (what a pull downloaded).
 */
public final class SlowProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private volatile long bytesPerSecond;
    private final AtomicLong sent = new AtomicLong();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    /** Forwards to 127.0.0.1:targetPort, answering at bytesPerSecond. */
    public SlowProxy(int targetPort, long bytesPerSecond) throws IOException {
        this.targetPort = targetPort;
        this.bytesPerSecond = bytesPerSecond;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "slow-proxy");
        t.setDaemon(true);
        t.start();
    }

    /** host:port of the proxy: the registry name to pull through it. */
    public String host() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** The bytes sent back to clients since the last reset. */
    public long sent() {
        return sent.get();
    }

    public void reset() {
        sent.set(0);
    }

    public void rate(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(upstream);
                pipe(client, upstream, false);
                pipe(upstream, client, true);
            } catch (IOException e) {
                if (closed) return;
            }
        }
    }

    private void pipe(Socket from, Socket to, boolean slow) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 << 10];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int r;
                while ((r = in.read(buf)) > 0) {
                    out.write(buf, 0, r);
                    out.flush();
                    if (!slow) continue;
                    sent.addAndGet(r);
                    long wait = r * 1_000_000_000L / Math.max(1, bytesPerSecond); // no credit for idle time
                    Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
                }
            } catch (IOException | InterruptedException e) {
                // the other side went away (a killed client): close both
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // closed already
                }
            }
        }, "slow-proxy-pipe");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closed already
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closed already
            }
        }
    }
}
