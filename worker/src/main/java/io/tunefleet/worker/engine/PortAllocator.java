package io.tunefleet.worker.engine;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * Reserves engine ports per host, so concurrent experiments never collide: a port is handed out
 * only when this process does not hold it, no other worker on the host holds its lock file (an OS
 * file lock, released by the OS if a worker dies) and nothing listens on it now.
 */
public final class PortAllocator {

    private final int first;
    private final int last;
    private final Path lockDir;
    private final Set<Integer> held = new HashSet<>();
    private int next;

    public PortAllocator(int first, int last, Path lockDir) {
        if (first < 1024 || last > 65535 || first > last) {
            throw new IllegalArgumentException("port range must lie in 1024..65535, got " + first + ".." + last);
        }
        this.first = first;
        this.last = last;
        this.lockDir = lockDir;
        this.next = first;
    }

    /** A free port, held until the lease is closed. */
    public synchronized Lease reserve() throws IOException {
        Files.createDirectories(lockDir);
        int span = last - first + 1;
        for (int i = 0; i < span; i++) {
            int port = next;
            next = port == last ? first : port + 1;
            if (held.contains(port)) {
                continue;
            }
            FileChannel channel = FileChannel.open(lockDir.resolve("port-" + port + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null || !bindable(port)) {
                if (lock != null) {
                    lock.release();
                }
                channel.close();
                continue;
            }
            held.add(port);
            return new Lease(port, channel);
        }
        throw new IOException("no free port in " + first + ".." + last + " on this host");
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private synchronized void release(int port) {
        held.remove(port);
    }

    /** A reserved port; closing it gives the port back. */
    public final class Lease implements AutoCloseable {
        private final int port;
        private final FileChannel channel;
        private boolean closed;

        private Lease(int port, FileChannel channel) {
            this.port = port;
            this.channel = channel;
        }

        public int port() {
            return port;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                channel.close();
            } catch (IOException ignored) {
                // the OS drops the lock with the descriptor
            }
            release(port);
        }
    }
}
