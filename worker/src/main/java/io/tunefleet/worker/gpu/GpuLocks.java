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
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
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
 * it; so this class opens each lock file once per JVM and keeps that channel: freeing a GPU releases
 * its lock, never closes the channel. That also spares a claim, which reserves and frees GPUs many
 * times a second, an open and a close each time. Should the file be deleted or replaced anyway, the
 * next lock notices that the path names another file and opens that one instead.
 * Lock files are never deleted: deleting one while another process has it open would let two
 * processes lock two different files of the same name.
 */
final class GpuLocks {

    /** Lock files this JVM holds, by any pool. A path is locked at most once per JVM. */
    private static final Set<Path> HELD_IN_THIS_JVM = ConcurrentHashMap.newKeySet();
    /** Every note is written this long, so that it covers any earlier one; a longer note is cut. */
    private static final int NOTE_BYTES = 512;
    /** The lock files this JVM has open, by path; see the class comment for why they stay open. */
    private static final Map<Path, OpenFile> OPEN = new ConcurrentHashMap<>();

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
        try {
            OpenFile file = open(path);
            FileLock lock = file.channel.tryLock();
            if (lock == null) {
                HELD_IN_THIS_JVM.remove(path);
                return Optional.empty();
            }
            file.writeNote(note);
            return Optional.of(new Held(path, lock));
        } catch (OverlappingFileLockException e) {
            HELD_IN_THIS_JVM.remove(path);
            return Optional.empty();
        } catch (IOException e) {
            HELD_IN_THIS_JVM.remove(path);
            throw new UncheckedIOException("cannot lock " + path, e);
        }
    }

    /**
     * The channel of {@code path}, opened when there is none yet or the path now names another file
     * than the one open. Called only while {@code path} is in {@link #HELD_IN_THIS_JVM} and not
     * locked, so closing a replaced channel drops no lock of this JVM.
     */
    private static OpenFile open(Path path) throws IOException {
        OpenFile open = OPEN.get(path);
        if (open != null && open.channel.isOpen() && open.stillAt(path)) {
            return open;
        }
        if (open != null) {
            closeQuietly(open.channel);
        }
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        OpenFile fresh = new OpenFile(channel, fileKey(path));
        OPEN.put(path, fresh);
        return fresh;
    }

    private static Object fileKey(Path path) throws IOException {
        return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }

    /** A lock file this JVM keeps open, and which file it is ({@link BasicFileAttributes#fileKey}). */
    private record OpenFile(FileChannel channel, Object key) {

        boolean stillAt(Path path) {
            try {
                return key != null && key.equals(fileKey(path));
            } catch (IOException e) {
                return false;
            }
        }

        /**
         * Overwrites the note in place, always {@link #NOTE_BYTES} long (cut, or padded with blanks),
         * so that whatever note any holder left is covered without truncating the file (a metadata
         * change that cost more than the lock itself) or asking its size. Only the lock's holder
         * writes. An interrupt pending on this thread is kept for later: a positional write would
         * close the channel on it, and with it the lock.
         */
        void writeNote(String note) {
            boolean interrupted = Thread.interrupted();
            try {
                byte[] text = (note + "\n").getBytes(StandardCharsets.UTF_8);
                ByteBuffer buffer = ByteBuffer.allocate(NOTE_BYTES);
                buffer.put(text, 0, Math.min(text.length, NOTE_BYTES));
                while (buffer.hasRemaining()) {
                    buffer.put((byte) ' ');
                }
                channel.write(buffer.flip(), 0);
            } catch (IOException e) {
                // The note is for humans; the lock is what counts.
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** A lock this process holds. {@link #release()} is idempotent. */
    static final class Held {
        private final Path path;
        private final FileLock lock;
        private boolean released;

        private Held(Path path, FileLock lock) {
            this.path = path;
            this.lock = lock;
        }

        /** Releases the lock; the file stays open for the GPU's next lock (see the class comment). */
        synchronized void release() {
            if (released) {
                return;
            }
            released = true;
            try {
                lock.release();
            } catch (IOException e) {
                // Should the channel be broken, the OS drops the lock when this process ends.
            }
            HELD_IN_THIS_JVM.remove(path);
        }

        Path path() {
            return path;
        }
    }
}
