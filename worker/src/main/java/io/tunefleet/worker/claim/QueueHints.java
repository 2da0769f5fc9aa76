package io.tunefleet.worker.claim;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Which job queues ({@code jobs.gpus.N}) may hold jobs, so that a claim pass reserves GPUs and asks
 * the broker only where asking can pay off. A queue found empty is skipped until the coordinator
 * announces jobs for it ({@code JOBS_AVAILABLE} names the GPU counts) or the poll interval makes
 * every queue worth asking again, which covers jobs the broker re-queued on its own.
 * <p>
 * The announcement also gives the order to ask in. A job needing the whole node comes first whenever
 * the node is free: otherwise every node backfills the GPUs it frees with smaller jobs and the
 * whole-node job starves. Then the queue whose oldest job was published first, so that the oldest
 * experiment that fits starts first, whatever its size; queues it does not name follow, largest first.
 * <p>
 * Each queue has a generation, raised whenever jobs may have arrived, and the generation it was
 * last found empty at, read before asking: an announcement that lands while a pass is asking raises
 * the generation, so that emptiness is never recorded over it.
 * <p>
 * A queue that only the poll made worth asking is first asked how many jobs it holds, without
 * reserving anything: on an idle node the poll would otherwise reserve GPUs (and read nvidia-smi)
 * for every queue several times a second, only to give them back.
 */
final class QueueHints {

    private final int maxGpus;
    /** Per queue, raised by every announcement and every poll. */
    private final AtomicLongArray generations;
    /** The generation each queue was last found empty at; -1 before it was ever asked. */
    private final AtomicLongArray foundEmptyAt;
    /** The generation the last announcement raised each queue to. */
    private final AtomicLongArray announcedAt;
    /** The last announcement, read and replaced whole so that no reader sees half of one. */
    private final AtomicReference<Announced> last = new AtomicReference<>();

    /**
     * @param askingOrder      every GPU count once, in the order to ask their queues
     * @param oldestGpus       the GPU count of the oldest waiting job; 0 when unknown or gone
     * @param oldestQueuedAtMs since when that job waits, ms of the worker's clock
     */
    private record Announced(List<Integer> askingOrder, int oldestGpus, long oldestQueuedAtMs) {
    }

    QueueHints(int maxGpus) {
        this.maxGpus = maxGpus;
        this.generations = new AtomicLongArray(maxGpus + 1);
        this.foundEmptyAt = new AtomicLongArray(maxGpus + 1);
        this.announcedAt = new AtomicLongArray(maxGpus + 1);
        for (int g = 0; g <= maxGpus; g++) {
            foundEmptyAt.set(g, -1);
        }
        this.last.set(new Announced(order(List.of()), 0, 0));
    }

    /**
     * Jobs may wait for these GPU counts, given oldest first, the oldest having waited
     * {@code oldestWaitMs} at {@code nowMs}; for any when {@code gpuCounts} is empty (an announcement
     * from an older coordinator: the order then stays as it was).
     */
    void mayHaveJobs(List<Integer> gpuCounts, long oldestWaitMs, long nowMs) {
        if (gpuCounts.isEmpty()) {
            mayHaveJobsEverywhere();
            return;
        }
        last.set(new Announced(order(gpuCounts), gpuCounts.get(0), nowMs - oldestWaitMs));
        for (int g : gpuCounts) {
            if (g >= 1 && g <= maxGpus) {
                announce(g);
            }
        }
    }

    void mayHaveJobsEverywhere() {
        for (int g = 1; g <= maxGpus; g++) {
            announce(g);
        }
    }

    private void announce(int gpus) {
        announcedAt.accumulateAndGet(gpus, generations.incrementAndGet(gpus), Math::max);
    }

    /**
     * The poll interval passed: every queue is worth asking again, for jobs the broker re-queued on
     * its own or an announcement that never arrived.
     */
    void pollDue() {
        for (int g = 1; g <= maxGpus; g++) {
            generations.incrementAndGet(g);
        }
    }

    /** The GPU count of the oldest waiting job, as last announced; 0 when unknown. */
    int oldestGpus() {
        return last.get().oldestGpus();
    }

    /** How long the oldest waiting job, as last announced, has waited by {@code nowMs}. */
    long oldestWaitMs(long nowMs) {
        Announced seen = last.get();
        return seen.oldestGpus() == 0 ? 0 : nowMs - seen.oldestQueuedAtMs();
    }

    /** Every GPU count from 1 to the pool's size, once each, in the order to ask their queues. */
    List<Integer> askingOrder() {
        return last.get().askingOrder();
    }

    private List<Integer> order(List<Integer> announced) {
        LinkedHashSet<Integer> order = new LinkedHashSet<>();
        order.add(maxGpus);
        for (int g : announced) {
            if (g >= 1 && g <= maxGpus) {
                order.add(g);
            }
        }
        for (int g = maxGpus; g >= 1; g--) {
            order.add(g);
        }
        return List.copyOf(order);
    }

    /** Read before asking the broker, passed to {@link #foundEmpty} if the answer is no job. */
    long generation(int gpus) {
        return generations.get(gpus);
    }

    /**
     * The queue was empty when asked; if it held the oldest job, that job is gone. The broker's answer
     * wins over an announcement that came while it was asked: announcements are computed from the
     * coordinator's view, which lags the claims (keeping the hint then was tried: {@code two-tasks}
     * 0.937, 0.937, 0.933 in three runs, nothing better than without). The swap is atomic, so that
     * the asking order of an announcement landing meanwhile is kept.
     */
    void foundEmpty(int gpus, long generationBeforeAsking) {
        foundEmptyAt.accumulateAndGet(gpus, generationBeforeAsking, Math::max);
        last.updateAndGet(seen -> seen.oldestGpus() == gpus ? new Announced(seen.askingOrder(), 0, 0) : seen);
    }

    /** False only when the queue was found empty and nothing was announced or polled for it since. */
    boolean worthAsking(int gpus) {
        return foundEmptyAt.get(gpus) != generations.get(gpus);
    }

    /**
     * True when nothing was announced for the queue since it was last found empty, so that only the
     * poll makes it worth asking: then it is asked for its length before any GPUs are reserved for
     * it. An announcement not yet answered keeps the direct way (GPUs, then the job) even after a
     * poll, so that a node freeing GPUs on a busy fleet pays no extra round trip.
     */
    boolean onlyPolled(int gpus) {
        return announcedAt.get(gpus) <= foundEmptyAt.get(gpus);
    }
}
