package io.tunefleet.worker.gpu;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Reuses nvidia-smi readings for a short while. The claim loop reserves and gives back GPUs many
 * times a second while queues are empty; running nvidia-smi (tens of milliseconds) for each of
 * those would cost more than the claims themselves.
 */
final class CachedInventory implements GpuInventory {

    /** Readings younger than this are reused. */
    static final Duration DEFAULT_TTL = Duration.ofMillis(500);

    private final GpuInventory inner;
    private final Duration ttl;
    private final Clock clock;
    private Reading<List<GpuInfo>> gpus;
    private Reading<List<GpuProcess>> processes;

    CachedInventory(GpuInventory inner, Duration ttl, Clock clock) {
        this.inner = inner;
        this.ttl = ttl;
        this.clock = clock;
    }

    @Override
    public synchronized List<GpuInfo> gpus() {
        if (gpus == null || gpus.olderThan(ttl, clock)) {
            gpus = new Reading<>(inner.gpus(), clock.millis());
        }
        return gpus.value();
    }

    @Override
    public synchronized List<GpuProcess> processes() {
        if (processes == null || processes.olderThan(ttl, clock)) {
            processes = new Reading<>(inner.processes(), clock.millis());
        }
        return processes.value();
    }

    @Override
    public GpuTopology topology() {
        return inner.topology();
    }

    /** Telemetry is read fresh each time: it is sampled on purpose, once a second at most. */
    @Override
    public List<GpuSample> samples() {
        return inner.samples();
    }

    @Override
    public String toString() {
        return inner + " (readings reused for " + ttl.toMillis() + " ms)";
    }

    private record Reading<T>(T value, long takenAt) {
        /** Also when taken "in the future": a clock set back would have a reading reused until it caught up. */
        boolean olderThan(Duration ttl, Clock clock) {
            long age = clock.millis() - takenAt;
            return age < 0 || age >= ttl.toMillis();
        }
    }
}
