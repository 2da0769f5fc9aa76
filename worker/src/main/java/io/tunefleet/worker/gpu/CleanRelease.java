package io.tunefleet.worker.gpu;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Frees the GPUs of a finished experiment only once nvidia-smi shows them clean: none of our
 * processes left and memory back within a tolerance of the baseline taken at reservation. It asks
 * again until the grace period ends, then quarantines what is still dirty and frees the rest.
 */
final class CleanRelease {

    /** Waits between polls; tests pass one that advances a settable clock instead of sleeping. */
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final GpuInventory inventory;
    private final Clock clock;
    private final Sleeper sleeper;
    private final long toleranceMib;
    private final Duration pollInterval;

    CleanRelease(GpuInventory inventory, Clock clock, Sleeper sleeper, long toleranceMib, Duration pollInterval) {
        this.inventory = inventory;
        this.clock = clock;
        this.sleeper = sleeper;
        this.toleranceMib = toleranceMib;
        this.pollInterval = pollInterval;
    }

    ReleaseOutcome release(GpuPool pool, GpuReservation r, Set<Integer> ourPids, Duration grace) {
        Instant deadline = clock.instant().plus(grace);
        Map<Integer, String> dirty = dirtyGpus(r, ourPids);
        while (!dirty.isEmpty()) {
            Duration left = Duration.between(clock.instant(), deadline);
            if (left.isNegative() || left.isZero()) {
                break;
            }
            try {
                sleeper.sleep(left.compareTo(pollInterval) < 0 ? left : pollInterval);
            } catch (InterruptedException e) {
                // Shutting down: do not leak the reservation; what is still dirty gets quarantined.
                Thread.currentThread().interrupt();
                break;
            }
            dirty = dirtyGpus(r, ourPids);
        }
        dirty.forEach((index, reason) -> {
            long baseline = r.baselineMemoryMib(index);
            if (baseline >= 0) {
                pool.quarantineUntilClean(index, reason, baseline + toleranceMib);
            } else {
                pool.quarantine(index, reason);
            }
        });
        r.release();
        List<Integer> freed = new ArrayList<>(r.indices());
        freed.removeAll(dirty.keySet());
        return new ReleaseOutcome(freed, dirty);
    }

    /** @return index -> why it is not clean yet; empty when all are clean */
    private Map<Integer, String> dirtyGpus(GpuReservation r, Set<Integer> ourPids) {
        List<GpuInfo> gpus;
        List<GpuProcess> processes;
        try {
            gpus = inventory.gpus();
            processes = inventory.processes();
        } catch (GpuInventoryException e) {
            Map<Integer, String> all = new LinkedHashMap<>();
            r.indices().forEach(i -> all.put(i, "cannot verify it is clean: " + e.getMessage()));
            return all;
        }
        Map<Integer, String> dirty = new TreeMap<>();
        for (int i = 0; i < r.indices().size(); i++) {
            int index = r.indices().get(i);
            String uuid = r.uuids().get(i);
            List<Integer> left = processes.stream()
                    .filter(p -> p.gpuUuid().equals(uuid) && ourPids.contains(p.pid()))
                    .map(GpuProcess::pid).toList();
            GpuInfo gpu = gpus.stream().filter(g -> g.uuid().equals(uuid)).findFirst().orElse(null);
            long baseline = r.baselineMemoryMib(index);
            if (gpu == null) {
                dirty.put(index, "GPU " + index + " (" + uuid + ") is no longer listed by nvidia-smi");
            } else if (!left.isEmpty()) {
                dirty.put(index, "processes of ours " + left + " still run on GPU " + index + " (" + uuid + ")");
            } else if (gpu.memoryUsedKnown() && baseline >= 0 && gpu.memoryUsedMib() > baseline + toleranceMib) {
                dirty.put(index, "GPU " + index + " (" + uuid + ") still uses " + gpu.memoryUsedMib()
                        + " MiB, baseline " + baseline + " MiB + tolerance " + toleranceMib + " MiB");
            }
        }
        return dirty;
    }
}
