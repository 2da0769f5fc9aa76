package io.tunefleet.worker.gpu;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;

/**
 * Runs in a second JVM, playing another worker process on the same host.
 * {@code hold FILE}: locks FILE, prints LOCKED, waits until killed.
 * {@code probe FILE}: prints FREE if it could lock FILE, HELD if another process holds it, and exits.
 */
public final class LockHolderMain {

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[1]);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            if (args[0].equals("hold")) {
                try (FileLock lock = channel.lock()) {
                    System.out.println("LOCKED");
                    System.out.flush();
                    new CountDownLatch(1).await();
                }
            } else {
                FileLock lock = channel.tryLock();
                System.out.println(lock == null ? "HELD" : "FREE");
                System.out.flush();
            }
        }
    }
}
