package io.tunefleet.worker.gpu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One OS file lock per GPU, {@code <dir>/gpu-<uuid>.lock}, so that two worker processes on one host
 * cannot book the same GPU. The OS drops the lock when the process dies, so a crash leaks nothing.
 *
 * <p>Two traps of Java file locks are handled here. The locks belong to the process, so within one
 * JVM a second lock on the same file is refused with {@link OverlappingFileLockException}: treated as
 * busy. Worse, on Linux closing <em>any</em> channel of a file drops every lock this process holds on
 * it; so this class never opens a file that this JVM already locks, tracked in a JVM-wide set.
 * Lock files are never deleted: deleting one while another process has it open would let two
 * processes lock two different files of the same name.
 */
final class GpuLocks {

    /** Lock files this JVM holds, by any pool. Guards against the close-drops-all-locks trap. */
    private static final Set<Path> HELD_IN_THIS_JVM = ConcurrentHashMap.newKeySet();

    private final Path dir;

    GpuLocks(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the GPU lock directory " + this.dir, e);
        }
    }

    Path pathFor(String uuid) {
        return dir.resolve("gpu-" + uuid + ".lock");
    }

    /**
     * Takes the lock of one GPU without waiting. Empty when another process (or another pool in this
     * JVM) holds it. {@code note} is written into the file for a human who wonders who holds it.
     */
    Optional<Held> tryLock(String uuid, String note) {
        Path path = pathFor(uuid);
        if (!HELD_IN_THIS_JVM.add(path)) {
            return Optional.empty();
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                closeQuietly(channel);
                HELD_IN_THIS_JVM.remove(path);
                return Optional.empty();
            }
            writeNote(channel, note);
            return Optional.of(new Held(path, channel, lock));
        } catch (OverlappingFileLockException e) {
            closeQuietly(channel);
            HELD_IN_THIS_JVM.remove(path);
            return Optional.empty();
        } catch (IOException e) {
            closeQuietly(channel);
            HELD_IN_THIS_JVM.remove(path);
            throw new UncheckedIOException("cannot lock " + path, e);
        }
    }

    private static void writeNote(FileChannel channel, String note) {
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((note + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        } catch (IOException e) {
            // The note is for humans; the lock is what counts.
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing left to do
            }
        }
    }

    /** A lock this process holds. {@link #release()} is idempotent. */
    static final class Held {
        private final Path path;
        private final FileChannel channel;
        private final FileLock lock;
        private boolean released;

        private Held(Path path, FileChannel channel, FileLock lock) {
            this.path = path;
            this.channel = channel;
            this.lock = lock;
        }

        synchronized void release() {
            if (released) {
                return;
            }
            released = true;
            try {
                lock.release();
            } catch (IOException e) {
                // closing the channel below drops the lock anyway
            }
            closeQuietly(channel);
            HELD_IN_THIS_JVM.remove(path);
        }

        Path path() {
            return path;
        }
    }
}
