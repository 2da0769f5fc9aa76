package io.tunefleet.worker.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GpuPoolTest {

    @TempDir
    Path lockDir;

    private final SettableClock clock = new SettableClock(Instant.parse("2025-06-01T10:00:00Z"));

    @Test
    void neverHandsOneGpuToTwoHolders() throws Exception {
        GpuPool pool = new GpuPool(new SimulatedInventory(8, 81559, "race"), lockDir, clock);
        Timeline timeline = new Timeline();
        pool.addListener(timeline);
        int threads = 16;
        int rounds = 150;
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger granted = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(executor.submit(() -> {
                    start.await();
                    for (int round = 0; round < rounds; round++) {
                        int count = List.of(1, 2, 4, 8).get(ThreadLocalRandom.current().nextInt(4));
                        Optional<GpuReservation> r = pool.tryReserve(count, "claim-" + thread + "-" + round);
                        if (r.isPresent()) {
                            granted.incrementAndGet();
                            assertThat(r.get().indices()).hasSize(count).doesNotHaveDuplicates();
                            Thread.yield(); // hold it a moment, so holders overlap
                            r.get().release();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            executor.shutdownNow();
        }

        assertThat(timeline.violations).isEmpty();
        assertThat(granted.get()).isGreaterThan(threads);
        assertThat(timeline.reservations.get()).isEqualTo(granted.get());
        assertThat(timeline.maxHeld.get()).isBetween(1, 8);
        assertThat(pool.free()).isEqualTo(8);
        assertThat(pool.reserved()).isZero();
        // Every lock went back: a second pool over the same lock files can take all eight.
        assertThat(new GpuPool(new SimulatedInventory(8, 81559, "race"), lockDir, clock).tryReserve(8, "after"))
                .isPresent();
    }

    @Test
    void aLockFileThatCannotBeOpenedMidPickLeavesNoGpuOfThePickHeld() throws Exception {
        SimulatedInventory inventory = new SimulatedInventory(2, 81559, "unopenable");
        GpuPool pool = new GpuPool(inventory, lockDir, clock);
        // GPU 1's lock file becomes a directory (as unopenable as one another user owns): GPU 0 is locked first.
        Path blocked = lockDir.resolve("gpu-" + inventory.uuidOf(1) + ".lock");
        Files.deleteIfExists(blocked);
        Files.createDirectory(blocked);

        assertThatThrownBy(() -> pool.tryReserve(2, "first")).isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessageContaining(blocked.getFileName().toString());

        Files.delete(blocked);
        assertThat(pool.tryReserve(2, "second")).as("GPU 0's lock went back with the failed pick")
                .hasValueSatisfying(r -> assertThat(r.indices()).containsExactly(0, 1));
    }

    @Test
    void reservesTheLowestConsecutiveBlockAndSkipsForeignBusyGpus() {
        GpuPool pool = new GpuPool(FakeInventory.fromSamples("h100x8-query-gpu.csv", "h100x8-compute-apps.csv"),
                lockDir, clock);

        // GPU 2 runs someone's 73 GiB job; GPU 4 a process whose memory cannot be seen.
        assertThat(pool.tryReserve(2, "a").orElseThrow().indices()).containsExactly(0, 1);
        assertThat(pool.tryReserve(2, "b").orElseThrow().indices()).containsExactly(5, 6);
        assertThat(pool.tryReserve(3, "c")).isEmpty();
        assertThat(pool.tryReserve(2, "d").orElseThrow().indices()).containsExactly(3, 7);
        assertThat(pool.free()).isZero();
        assertThat(pool.foreignBusy()).isEqualTo(2);
    }

    @Test
    void onAPcieHostGpusAreTakenByTheirLinksKeepingSwitchPairsWhole() {
        // The same host, its GPUs paired behind PCIe switches, two switches a socket; 2 and 4 are busy.
        GpuPool pool = new GpuPool(FakeInventory.fromSamples("h100x8-query-gpu.csv", "h100x8-compute-apps.csv")
                .withTopology("pcie-2socket-topo.txt"), lockDir, clock);

        assertThat(pool.topology().link(6, 7)).isEqualTo("PIX");
        // 3's switch partner is busy: taking it keeps the pairs 0-1 and 6-7 whole
        assertThat(pool.tryReserve(1, "a").orElseThrow().indices()).containsExactly(3);
        assertThat(pool.tryReserve(2, "b").orElseThrow().indices()).containsExactly(0, 1);
        // 5 and 6 would be the lowest consecutive pair, across two switches
        assertThat(pool.tryReserve(2, "c").orElseThrow().indices()).containsExactly(6, 7);
    }

    @Test
    void reportsWhyAGpuIsForeignBusy() {
        GpuPool pool = new GpuPool(FakeInventory.fromSamples("h100x8-query-gpu.csv", "h100x8-compute-apps.csv"),
                lockDir, clock);

        assertThat(pool.snapshot()).filteredOn(s -> s.state() == GpuStatus.State.FOREIGN_BUSY)
                .extracting(GpuStatus::index).containsExactly(2, 4);
        assertThat(pool.snapshot().get(2).detail()).contains("[2716384, 2716391]", "73724 MiB");
        assertThat(pool.snapshot().get(4).detail()).contains("[1893]", "unknown amount");
        assertThat(pool.free()).isEqualTo(6);
        assertThat(pool.largestReservable()).isEqualTo(6);
        assertThat(pool.tryReserve(7, "greedy")).isEmpty();
    }

    @Test
    void aForeignProcessUnderTheThresholdDoesNotBlockAGpu() {
        GpuPool pool = new GpuPool(FakeInventory.fromSamples("h100x8-query-gpu.csv", "h100x8-compute-apps.csv"),
                lockDir, clock, GpuPoolSettings.defaults().withForeignBusyThresholdMib(100_000));

        // 73.7 GiB < 100 GiB; GPU 4's unknown use still counts as busy.
        assertThat(pool.tryReserve(7, "big").orElseThrow().indices()).containsExactly(0, 1, 2, 3, 5, 6, 7);
    }

    @Test
    void theGpuOfARealH200IsBusyWhileAForeignProcessHolds8GibAndFreeWhenIdle() {
        GpuPool busy = new GpuPool(FakeInventory.fromSamples("h200x1-query-gpu-foreign.csv",
                "h200x1-compute-apps-foreign.csv"), lockDir, clock);
        assertThat(busy.foreignBusy()).isEqualTo(1);
        assertThat(busy.snapshot().get(0).detail()).contains("[541]", "8710 MiB");
        assertThat(busy.tryReserve(1, "a")).isEmpty();

        GpuPool idle = new GpuPool(FakeInventory.fromSamples("h200x1-query-gpu.csv", "h200x1-compute-apps-idle.csv"),
                lockDir, clock);
        assertThat(idle.tryReserve(1, "b").orElseThrow().indices()).containsExactly(0);
    }

    @Test
    void ourOwnEngineOnAReservedGpuDoesNotLeaveItForeignBusyAfterItsRelease() {
        FakeInventory inventory = FakeInventory.fromSamples("h200x1-query-gpu.csv", "h200x1-compute-apps-idle.csv");
        List<GpuInfo> gpus = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            GpuInfo g = inventory.gpus().get(0);
            gpus.add(new GpuInfo(i, g.uuid() + "-" + i, g.name(), g.memoryTotalMib(), 0, g.utilizationPercent()));
        }
        inventory.setGpus(gpus);
        GpuPool pool = new GpuPool(inventory, lockDir, clock);
        GpuReservation ours = pool.tryReserve(1, "ours").orElseThrow();

        // Our engine runs on GPU 0 while another claim reads nvidia-smi.
        inventory.setProcesses(List.of(new GpuProcess(gpus.get(0).uuid(), 4242, java.util.OptionalLong.of(70_000))));
        GpuReservation other = pool.tryReserve(1, "other").orElseThrow();
        assertThat(other.indices()).containsExactly(1);
        assertThat(pool.foreignBusy()).isZero();

        inventory.setProcesses(List.of());
        ours.release();
        assertThat(pool.free()).as("GPU 0 is free, not busy with someone else").isEqualTo(1);
    }

    @Test
    void aGpuReleasedWhileAReadingWasUnderWayIsNotTakenForForeignBusy() {
        FakeInventory inventory = FakeInventory.fromSamples("h200x1-query-gpu.csv", "h200x1-compute-apps-idle.csv");
        GpuInfo h200 = inventory.gpus().get(0);
        List<GpuInfo> clean = List.of(
                new GpuInfo(0, h200.uuid() + "-0", h200.name(), h200.memoryTotalMib(), 0, h200.utilizationPercent()),
                new GpuInfo(1, h200.uuid() + "-1", h200.name(), h200.memoryTotalMib(), 0, h200.utilizationPercent()));
        inventory.setGpus(clean);
        GpuPool pool = new GpuPool(inventory, lockDir, clock);
        GpuReservation ours = pool.tryReserve(1, "ours").orElseThrow();
        assertThat(ours.indices()).containsExactly(0);
        // Our engine fills GPU 0.
        List<GpuInfo> running = List.of(new GpuInfo(0, clean.get(0).uuid(), h200.name(), h200.memoryTotalMib(),
                70_000, h200.utilizationPercent()), clean.get(1));
        inventory.setGpus(running);
        inventory.setProcesses(List.of(new GpuProcess(clean.get(0).uuid(), 4242, java.util.OptionalLong.of(70_000))));

        // Another claim reads nvidia-smi while the engine still runs; the run ends and GPU 0 is given
        // back clean before that reading is applied.
        inventory.duringNextReading(() -> {
            inventory.setGpus(clean);
            inventory.setProcesses(List.of());
            ours.release();
        });
        assertThat(pool.tryReserve(1, "other")).isPresent();

        assertThat(pool.foreignBusy()).as("GPU 0 showed our engine, not someone else's").isZero();
        assertThat(pool.free()).isEqualTo(1);
    }

    @Test
    void aGpuIsTakenAgainOnceTheForeignUseThatKeptItBusyEnds() {
        FakeInventory inventory = FakeInventory.fromSamples("a100x4-query-gpu.csv", null);
        GpuPool pool = new GpuPool(inventory, lockDir, clock);
        assertThat(pool.tryReserve(3, "three")).isPresent();
        assertThat(pool.free()).isZero();
        assertThat(pool.recheckBusy()).as("GPU 3 still busy").isEmpty();

        List<GpuInfo> gpus = new ArrayList<>(inventory.gpus());
        GpuInfo busy = gpus.get(3);
        gpus.set(3, new GpuInfo(busy.index(), busy.uuid(), busy.name(), busy.memoryTotalMib(), 3, busy.utilizationPercent()));
        inventory.setGpus(gpus);

        // Nothing reserves while none is free, so only a recheck can see the foreign use gone.
        assertThat(pool.recheckBusy()).containsExactly(3);
        assertThat(pool.free()).isEqualTo(1);
        assertThat(pool.tryReserve(1, "after").orElseThrow().indices()).containsExactly(3);
        int readings = inventory.readings();
        assertThat(pool.recheckBusy()).isEmpty();
        assertThat(inventory.readings()).as("nothing busy: nvidia-smi is not asked").isEqualTo(readings);
    }

    @Test
    void memoryInUseWithoutAVisibleProcessMakesAGpuForeignBusy() {
        FakeInventory inventory = FakeInventory.fromSamples("a100x4-query-gpu.csv", null);
        GpuPool pool = new GpuPool(inventory, lockDir, clock);

        // GPU 3 has 38811 MiB in use but no process this host can see (another container).
        assertThat(pool.snapshot().get(3).state()).isEqualTo(GpuStatus.State.FOREIGN_BUSY);
        assertThat(pool.tryReserve(4, "all")).isEmpty();
        assertThat(pool.tryReserve(3, "three").orElseThrow().indices()).containsExactly(0, 1, 2);
    }

    @Test
    void aGpuThatBecomesBusyIsSkippedOnTheNextTry() {
        SimulatedInventory inventory = new SimulatedInventory(2, 81559, "busy-later");
        GpuPool pool = new GpuPool(inventory, lockDir, clock);
        inventory.addProcess(new GpuProcess(inventory.uuidOf(0), 777, java.util.OptionalLong.of(20_000)));

        assertThat(pool.tryReserve(1, "a").orElseThrow().indices()).containsExactly(1);
        assertThat(pool.tryReserve(1, "b")).isEmpty();
    }

    @Test
    void quarantinedGpusAreNeverHandedOut() {
        GpuPool pool = new GpuPool(new SimulatedInventory(4, 81559, "q"), lockDir, clock);

        pool.quarantine(1, "ECC errors");

        assertThat(pool.tryReserve(4, "all")).isEmpty();
        GpuReservation r = pool.tryReserve(3, "three").orElseThrow();
        assertThat(r.indices()).containsExactly(0, 2, 3);
        assertThat(pool.quarantined()).isEqualTo(1);
        assertThat(pool.snapshot().get(1)).extracting(GpuStatus::state, GpuStatus::detail)
                .containsExactly(GpuStatus.State.QUARANTINED, "ECC errors");
        r.release();

        pool.unquarantine(1);

        assertThat(pool.quarantined()).isZero();
        assertThat(pool.tryReserve(4, "all").orElseThrow().indices()).containsExactly(0, 1, 2, 3);
    }

    @Test
    void aGpuQuarantinedWhileReservedStaysOutOfServiceAfterRelease() {
        GpuPool pool = new GpuPool(new SimulatedInventory(2, 81559, "q2"), lockDir, clock);
        GpuReservation r = pool.tryReserve(2, "exp-1").orElseThrow();

        pool.quarantine(0, "left 3 GiB behind");
        assertThat(pool.snapshot().get(0)).extracting(GpuStatus::state, GpuStatus::owner)
                .containsExactly(GpuStatus.State.QUARANTINED, "exp-1");
        r.release();

        assertThat(pool.free()).isEqualTo(1);
        assertThat(pool.tryReserve(2, "exp-2")).isEmpty();
        assertThat(pool.tryReserve(1, "exp-3").orElseThrow().indices()).containsExactly(1);
    }

    @Test
    void aGpuThatDisappearsFromNvidiaSmiIsQuarantined() {
        FakeInventory inventory = FakeInventory.fromSamples("h100x8-query-gpu.csv", null);
        GpuPool pool = new GpuPool(inventory, lockDir, clock);
        inventory.setGpus(inventory.gpus().stream().filter(g -> g.index() != 0).toList());

        assertThat(pool.tryReserve(1, "a").orElseThrow().indices()).containsExactly(1);
        assertThat(pool.snapshot().get(0)).extracting(GpuStatus::state, GpuStatus::detail)
                .containsExactly(GpuStatus.State.QUARANTINED, "no longer listed by nvidia-smi");
    }

    @Test
    void releaseIsIdempotentAndReportedOnce() {
        GpuPool pool = new GpuPool(new SimulatedInventory(4, 81559, "idem"), lockDir, clock);
        Timeline timeline = new Timeline();
        pool.addListener(timeline);
        GpuReservation r = pool.tryReserve(2, "exp-1").orElseThrow();
        GpuReservation other = pool.tryReserve(2, "exp-2").orElseThrow();

        r.release();
        r.release();

        assertThat(r.isReleased()).isTrue();
        assertThat(timeline.releases.get()).isEqualTo(1);
        assertThat(pool.free()).isEqualTo(2);
        assertThat(pool.reserved()).isEqualTo(2);
        assertThat(other.isReleased()).isFalse();
        assertThat(pool.tryReserve(2, "exp-3").orElseThrow().indices()).isEqualTo(r.indices());
    }

    @Test
    void aReservationCarriesItsGpusOwnerAndTime() {
        SimulatedInventory inventory = new SimulatedInventory(4, 81559, "fields");
        GpuPool pool = new GpuPool(inventory, lockDir, clock);

        GpuReservation r = pool.tryReserve(2, "worker-1/exp-42").orElseThrow();

        assertThat(r.indices()).containsExactly(0, 1);
        assertThat(r.uuids()).containsExactly(inventory.uuidOf(0), inventory.uuidOf(1));
        assertThat(r.owner()).isEqualTo("worker-1/exp-42");
        assertThat(r.reservedAt()).isEqualTo(clock.instant());
        assertThat(pool.snapshot()).extracting(GpuStatus::state).containsExactly(GpuStatus.State.RESERVED,
                GpuStatus.State.RESERVED, GpuStatus.State.FREE, GpuStatus.State.FREE);
        assertThat(pool.snapshot().get(0).owner()).isEqualTo("worker-1/exp-42");
    }

    @Test
    void askingForMoreThanTheHostHasGivesNothingAndNonsenseIsRejected() {
        GpuPool pool = new GpuPool(new SimulatedInventory(2, 81559, "n"), lockDir, clock);

        assertThat(pool.tryReserve(4, "x")).isEmpty();
        assertThatThrownBy(() -> pool.tryReserve(0, "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> pool.tryReserve(1, " ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> pool.quarantine(5, "x")).hasMessageContaining("no GPU with index 5");
    }

    @Test
    void aFailingListenerDoesNotBreakThePool() {
        GpuPool pool = new GpuPool(new SimulatedInventory(1, 81559, "l"), lockDir, clock);
        pool.addListener(new GpuPool.Listener() {
            @Override
            public void onReserved(GpuReservation reservation) {
                throw new IllegalStateException("boom");
            }

            @Override
            public void onReleased(GpuReservation reservation) {
                throw new IllegalStateException("boom");
            }
        });

        pool.tryReserve(1, "a").orElseThrow().release();

        assertThat(pool.tryReserve(1, "b")).isPresent();
    }

    @Test
    void twoPoolsInOneJvmOverTheSameLocksNeverShareAGpu() {
        SimulatedInventory inventory = new SimulatedInventory(2, 81559, "shared-host");
        GpuPool first = new GpuPool(inventory, lockDir, clock);
        GpuPool second = new GpuPool(inventory, lockDir, clock);

        GpuReservation r = first.tryReserve(1, "first").orElseThrow();

        assertThat(second.tryReserve(2, "second")).isEmpty();
        assertThat(second.tryReserve(1, "second").orElseThrow().indices()).containsExactly(1);
        second.refresh();
        assertThat(second.snapshot().get(0).state()).isEqualTo(GpuStatus.State.FOREIGN_BUSY);
        assertThat(first.tryReserve(1, "first-again")).isEmpty();

        r.release();
        assertThat(second.tryReserve(1, "second-again").orElseThrow().indices()).containsExactly(0);
    }

    /** Records reservations as a timeline and notes any GPU that has two holders at once. */
    static final class Timeline implements GpuPool.Listener {
        final Map<Integer, GpuReservation> holders = new ConcurrentHashMap<>();
        final List<String> violations = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger held = new AtomicInteger();
        final AtomicInteger maxHeld = new AtomicInteger();
        final AtomicInteger reservations = new AtomicInteger();
        final AtomicInteger releases = new AtomicInteger();

        @Override
        public void onReserved(GpuReservation r) {
            reservations.incrementAndGet();
            for (int index : r.indices()) {
                GpuReservation before = holders.putIfAbsent(index, r);
                if (before != null) {
                    violations.add("GPU " + index + " given to " + r + " while held by " + before);
                }
            }
            maxHeld.accumulateAndGet(held.addAndGet(r.indices().size()), Math::max);
        }

        @Override
        public void onReleased(GpuReservation r) {
            releases.incrementAndGet();
            held.addAndGet(-r.indices().size());
            for (int index : r.indices()) {
                if (!holders.remove(index, r)) {
                    violations.add("GPU " + index + " released by " + r + " but held by " + holders.get(index));
                }
            }
        }
    }
}
