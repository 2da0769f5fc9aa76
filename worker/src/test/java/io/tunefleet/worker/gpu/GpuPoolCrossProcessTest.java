package io.tunefleet.worker.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Another worker process on the same host, played by a second JVM running {@link LockHolderMain}. */
class GpuPoolCrossProcessTest {

    @TempDir
    Path lockDir;

    private Process other;

    @AfterEach
    void killTheOtherProcess() {
        if (other != null) {
            other.destroyForcibly();
        }
    }

    @Test
    void aGpuLockedByAnotherProcessIsNotHandedOutUntilThatProcessDies() throws Exception {
        SimulatedInventory inventory = new SimulatedInventory(2, 81559, "xproc");
        GpuPool pool = new GpuPool(inventory, lockDir, Clock.systemUTC());
        other = start("hold", pool, inventory.uuidOf(0));
        assertThat(firstLine(other)).isEqualTo("LOCKED");

        assertThat(pool.tryReserve(2, "both")).isEmpty();
        GpuReservation one = pool.tryReserve(1, "one").orElseThrow();
        assertThat(one.indices()).containsExactly(1);
        assertThat(pool.snapshot().get(0).state()).isEqualTo(GpuStatus.State.FOREIGN_BUSY);
        one.release();

        other.destroyForcibly().onExit().get(30, TimeUnit.SECONDS);

        AtomicReference<GpuReservation> both = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> pool.tryReserve(2, "both").map(r -> { both.set(r); return true; }).orElse(false));
        assertThat(both.get().indices()).containsExactly(0, 1);
    }

    @Test
    void anotherProcessCannotLockAGpuThisPoolHoldsEvenAfterAnotherPoolHereTriedIt() throws Exception {
        SimulatedInventory inventory = new SimulatedInventory(1, 81559, "xproc-held");
        GpuPool pool = new GpuPool(inventory, lockDir, Clock.systemUTC());
        GpuPool samePlaceOtherPool = new GpuPool(inventory, lockDir, Clock.systemUTC());
        GpuReservation r = pool.tryReserve(1, "exp").orElseThrow();

        // A failed attempt in this JVM must not drop the lock (closing any channel of a locked file would).
        assertThat(samePlaceOtherPool.tryReserve(1, "rival")).isEmpty();
        samePlaceOtherPool.refresh();
        assertThat(firstLine(start("probe", pool, inventory.uuidOf(0)))).isEqualTo("HELD");

        r.release();
        assertThat(firstLine(start("probe", pool, inventory.uuidOf(0)))).isEqualTo("FREE");
    }

    @Test
    void aLockFileDeletedWhileFreeIsNotTrustedOnItsOldOpenChannel() throws Exception {
        SimulatedInventory inventory = new SimulatedInventory(2, 81559, "xproc-replaced");
        GpuPool pool = new GpuPool(inventory, lockDir, Clock.systemUTC());
        pool.tryReserve(1, "first").orElseThrow().release(); // this JVM now keeps GPU 0's file open

        java.nio.file.Files.delete(lockDir.resolve("gpu-" + inventory.uuidOf(0) + ".lock"));
        other = start("hold", pool, inventory.uuidOf(0)); // creates a new file of that name and locks it
        assertThat(firstLine(other)).isEqualTo("LOCKED");

        // Locking the deleted file still open here would hand out GPU 0 a second time.
        GpuReservation r = pool.tryReserve(1, "second").orElseThrow();
        assertThat(r.indices()).containsExactly(1);
        r.release();
    }

    @Test
    void aLockTakenOnAnInterruptedThreadIsHeldAndTheInterruptKept() throws Exception {
        SimulatedInventory inventory = new SimulatedInventory(1, 81559, "xproc-interrupted");
        GpuPool pool = new GpuPool(inventory, lockDir, Clock.systemUTC());

        Thread.currentThread().interrupt();
        GpuReservation r = pool.tryReserve(1, "exp").orElseThrow();
        assertThat(Thread.interrupted()).as("the interrupt is still pending").isTrue();

        // Writing the note while interrupted must not close the channel, and with it drop the lock.
        assertThat(firstLine(start("probe", pool, inventory.uuidOf(0)))).isEqualTo("HELD");
        r.release();
        assertThat(pool.tryReserve(1, "next")).isPresent();
    }

    @Test
    void theNoteInALockFileNamesItsHolderAndNoEarlierOne() throws Exception {
        GpuPool pool = new GpuPool(new SimulatedInventory(1, 81559, "xproc-note"), lockDir, Clock.systemUTC());
        pool.tryReserve(1, "a-rather-long-owner-name").orElseThrow().release();
        pool.tryReserve(1, "short").orElseThrow();

        Path file = java.nio.file.Files.list(lockDir).filter(p -> p.toString().contains("gpu-")).findFirst().orElseThrow();
        String note = java.nio.file.Files.readString(file);
        assertThat(note).contains("owner short since").doesNotContain("long-owner");
    }

    private Process start(String mode, GpuPool pool, String uuid) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path lockFile = lockDir.resolve("gpu-" + uuid + ".lock");
        return new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                LockHolderMain.class.getName(), mode, lockFile.toString()))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    private static String firstLine(Process process) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        return CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).get(30, TimeUnit.SECONDS);
    }
}
