package io.tunefleet.worker.gpu;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Exact GPU indices held for one owner until {@link #release()}. Also holds, for each GPU, its OS
 * lock file, so no other worker process on the host can take it meanwhile.
 */
public final class GpuReservation {

    private final GpuPool pool;
    private final List<Integer> indices;
    private final List<String> uuids;
    private final String owner;
    private final Instant reservedAt;
    private final Map<Integer, Long> baselineMemoryMib;
    private final AtomicBoolean released = new AtomicBoolean();

    GpuReservation(GpuPool pool, List<Integer> indices, List<String> uuids, String owner, Instant reservedAt,
                   Map<Integer, Long> baselineMemoryMib) {
        this.pool = pool;
        this.indices = List.copyOf(indices);
        this.uuids = List.copyOf(uuids);
        this.owner = owner;
        this.reservedAt = reservedAt;
        this.baselineMemoryMib = Map.copyOf(baselineMemoryMib);
    }

    /** The GPU indices, ascending: what {@code CUDA_VISIBLE_DEVICES} or a docker device request takes. */
    public List<Integer> indices() {
        return indices;
    }

    /** The GPU UUIDs, in the order of {@link #indices()}. */
    public List<String> uuids() {
        return uuids;
    }

    public String owner() {
        return owner;
    }

    public Instant reservedAt() {
        return reservedAt;
    }

    public boolean isReleased() {
        return released.get();
    }

    /** Gives the GPUs back (quarantined ones stay out of service). Idempotent and thread-safe. */
    public void release() {
        pool.release(this);
    }

    /** Memory in use on each GPU when reserved, {@link GpuInfo#UNKNOWN_MIB} where not known. */
    long baselineMemoryMib(int index) {
        return baselineMemoryMib.getOrDefault(index, GpuInfo.UNKNOWN_MIB);
    }

    GpuPool pool() {
        return pool;
    }

    /** @return true for the one call that moves it to released */
    boolean markReleased() {
        return released.compareAndSet(false, true);
    }

    @Override
    public String toString() {
        return "GpuReservation" + indices + " of " + owner + " since " + reservedAt + (isReleased() ? " (released)" : "");
    }
}
