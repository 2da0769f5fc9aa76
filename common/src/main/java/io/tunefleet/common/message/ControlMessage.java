package io.tunefleet.common.message;

import java.util.LinkedHashSet;
import java.util.List;

/**
 * Coordinator to workers, fanned out to every worker.
 *
 * @param workerId for {@link Kind#ABORT_ATTEMPT}: the worker that must stop; null for all
 * @param reason   why, for the worker's log
 * @param gpuCounts for {@link Kind#JOBS_AVAILABLE}: the GPU counts whose job queues hold jobs, the
 *                  queue whose oldest job was published first leading; null or empty when not known
 * @param oldestWaitMs for {@link Kind#JOBS_AVAILABLE}: how long the oldest of those jobs had waited
 *                  when this was sent; 0 when not known
 * @param readsBatches the coordinator reads {@link BatchMessage}s: workers send their claims and
 *                  results in batches only once they have heard this, so that a worker newer than
 *                  its coordinator sends it nothing it would park as unreadable; false when absent
 */
public record ControlMessage(
        int schema,
        Kind kind,
        long taskId,
        long experimentId,
        int attempt,
        String workerId,
        String reason,
        List<Integer> gpuCounts,
        Long oldestWaitMs,
        Boolean readsBatches) {

    public ControlMessage {
        gpuCounts = gpuCounts == null ? List.of() : List.copyOf(gpuCounts);
        // Both absent in the messages of older coordinators.
        oldestWaitMs = oldestWaitMs == null ? 0L : oldestWaitMs;
        readsBatches = readsBatches != null && readsBatches;
    }

    public enum Kind {
        /** Stop every running experiment of the task and drop its queued jobs. */
        CANCEL_TASK,
        /** Stop one attempt: the coordinator no longer expects its result. */
        ABORT_ATTEMPT,
        /** New jobs were published: idle workers look at the queues now instead of at their next poll. */
        JOBS_AVAILABLE
    }

    /** Jobs wait in the queues of these GPU counts, given oldest first; the oldest has waited this long. */
    public static ControlMessage jobsAvailable(List<Integer> gpuCountsOldestFirst, long oldestWaitMs) {
        return new ControlMessage(Schema.VERSION, Kind.JOBS_AVAILABLE, 0, 0, 0, null, null,
                List.copyOf(new LinkedHashSet<>(gpuCountsOldestFirst)), oldestWaitMs, true);
    }

    public static ControlMessage cancelTask(long taskId, String reason) {
        return new ControlMessage(Schema.VERSION, Kind.CANCEL_TASK, taskId, 0, 0, null, reason, null, 0L, true);
    }

    public static ControlMessage abortAttempt(long taskId, long experimentId, int attempt, String workerId,
                                              String reason) {
        return new ControlMessage(Schema.VERSION, Kind.ABORT_ATTEMPT, taskId, experimentId, attempt, workerId, reason,
                null, 0L, true);
    }
}
