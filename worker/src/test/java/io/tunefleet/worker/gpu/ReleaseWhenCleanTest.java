package io.tunefleet.worker.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Polls run on a settable clock: each "sleep" advances it, nothing really waits. */
class ReleaseWhenCleanTest {

    @TempDir
    Path lockDir;

    private final SettableClock clock = new SettableClock(Instant.parse("2025-06-01T10:00:00Z"));
    private final SimulatedInventory inventory = new SimulatedInventory(2, 81559, "clean");
    private final AtomicInteger polls = new AtomicInteger();
    private Runnable onPoll = () -> { };

    private GpuPool pool() {
        return new GpuPool(inventory, lockDir, clock,
                GpuPoolSettings.defaults().withCleanPollInterval(Duration.ofSeconds(2)),
                d -> {
                    polls.incrementAndGet();
                    clock.advance(d);
                    onPoll.run();
                });
    }

    @Test
    void cleanGpusAreFreedAtOnce() {
        GpuPool pool = pool();
        GpuReservation r = pool.tryReserve(2, "exp-1").orElseThrow();

        ReleaseOutcome outcome = pool.releaseWhenClean(r, Set.of(4242), Duration.ofSeconds(30));

        assertThat(outcome.clean()).isTrue();
        assertThat(outcome.freed()).containsExactly(0, 1);
        assertThat(polls.get()).isZero();
        assertThat(pool.free()).isEqualTo(2);
        assertThat(r.isReleased()).isTrue();
    }

    @Test
    void waitsForOurProcessToLeaveWithinTheGracePeriod() {
        GpuPool pool = pool();
        GpuReservation r = pool.tryReserve(1, "exp-1").orElseThrow();
        inventory.addProcess(new GpuProcess(inventory.uuidOf(0), 4242, OptionalLong.of(30_000)));
        onPoll = () -> {
            if (polls.get() == 3) {
                inventory.removeProcess(4242);
            }
        };

        ReleaseOutcome outcome = pool.releaseWhenClean(r, Set.of(4242), Duration.ofSeconds(30));

        assertThat(outcome.clean()).isTrue();
        assertThat(polls.get()).isEqualTo(3);
        assertThat(pool.free()).isEqualTo(2);
    }

    @Test
    void aGpuOurProcessWillNotLeaveIsQuarantinedAfterTheGracePeriod() {
        GpuPool pool = pool();
        GpuReservation r = pool.tryReserve(2, "exp-1").orElseThrow();
        inventory.addProcess(new GpuProcess(inventory.uuidOf(1), 4242, OptionalLong.of(30_000)));
        Instant start = clock.instant();

        ReleaseOutcome outcome = pool.releaseWhenClean(r, Set.of(4242), Duration.ofSeconds(10));

        assertThat(outcome.freed()).containsExactly(0);
        assertThat(outcome.quarantined()).containsOnlyKeys(1);
        assertThat(outcome.quarantined().get(1)).contains("[4242]", "GPU 1");
        assertThat(Duration.between(start, clock.instant())).isEqualTo(Duration.ofSeconds(10));
        assertThat(pool.snapshot().get(1).state()).isEqualTo(GpuStatus.State.QUARANTINED);
        inventory.removeProcess(4242);
        assertThat(pool.tryReserve(2, "exp-2")).isEmpty();
        assertThat(pool.tryReserve(1, "exp-3").orElseThrow().indices()).containsExactly(0);
    }

    @Test
    void memoryNotBackNearItsBaselineIsQuarantined() {
        inventory.setMemoryUsed(0, 300);
        GpuPool pool = pool();
        GpuReservation r = pool.tryReserve(1, "exp-1").orElseThrow();
        inventory.setMemoryUsed(0, 300 + 3_000); // leaked, no process left to show for it

        ReleaseOutcome outcome = pool.releaseWhenClean(r, Set.of(), Duration.ofSeconds(5));

        assertThat(outcome.quarantined()).containsOnlyKeys(0);
        assertThat(outcome.quarantined().get(0)).contains("3300 MiB", "baseline 300 MiB", "tolerance 512 MiB");
        assertThat(pool.quarantined()).isEqualTo(1);
    }

    @Test
    void aGpuQuarantinedForLeftoverMemoryReturnsToServiceOnceTheMemoryIsBack() {
        GpuPool pool = leftWithMemoryInUse();

        assertThat(pool.recoverQuarantined()).isEmpty();
        assertThat(pool.quarantined()).isEqualTo(1);

        inventory.setMemoryUsed(0, 500);
        assertThat(pool.recoverQuarantined()).containsExactly(0);
        assertThat(pool.quarantined()).isZero();
        assertThat(pool.tryReserve(1, "exp-2").orElseThrow().indices()).containsExactly(0);
    }

    /** A pool whose GPU 0 an experiment left with 12 GB in use (baseline 300 MiB): quarantined until clean. */
    private GpuPool leftWithMemoryInUse() {
        inventory.setMemoryUsed(0, 300);
        GpuPool pool = pool();
        GpuReservation r = pool.tryReserve(1, "exp-1").orElseThrow();
        inventory.setMemoryUsed(0, 12_000);
        pool.releaseWhenClean(r, Set.of(), Duration.ofSeconds(5));
        return pool;
    }

    @Test
    void aGpuQuarantinedByAnOperatorIsNotReturnedAutomatically() {
        GpuPool pool = pool();
        pool.quarantine(1, "Xid 79 seen by the operator");

        assertThat(pool.recoverQuarantined()).isEmpty();
        assertThat(pool.quarantined()).isEqualTo(1);
    }

    @Test
    void aGpuQuarantinedForGoodAfterItsLeftoverMemoryDoesNotComeBackWhenTheMemoryDoes() {
        GpuPool pool = leftWithMemoryInUse(); // quarantined until clean
        pool.quarantine(0, "Xid 79 seen by the operator"); // then for good

        inventory.setMemoryUsed(0, 500);
        assertThat(pool.recoverQuarantined()).as("until unquarantined, as the operator said").isEmpty();
        assertThat(pool.quarantined()).isEqualTo(1);
    }

    @Test
    void memoryWithinToleranceOfItsBaselineIsClean() {
        inventory.setMemoryUsed(0, 300);
        GpuPool pool = pool();
        GpuReservation r = pool.tryReserve(1, "exp-1").orElseThrow();
        inventory.setMemoryUsed(0, 700);

        assertThat(pool.releaseWhenClean(r, Set.of(), Duration.ofSeconds(5)).clean()).isTrue();
    }

    @Test
    void aReleasedReservationCannotBeReleasedCleanAgain() {
        GpuPool pool = pool();
        GpuReservation r = pool.tryReserve(1, "exp-1").orElseThrow();
        r.release();

        assertThatThrownBy(() -> pool.releaseWhenClean(r, Set.of(), Duration.ZERO))
                .isInstanceOf(IllegalStateException.class);
        assertThat(List.of(pool.free())).containsExactly(2);
    }
}
