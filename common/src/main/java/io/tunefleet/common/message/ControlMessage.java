package io.tunefleet.common.message;

/**
 * Coordinator to workers, fanned out to every worker.
 *
 * @param workerId for {@link Kind#ABORT_ATTEMPT}: the worker that must stop; null for all
 * @param reason   why, for the worker's log
 */
public record ControlMessage(
        int schema,
        Kind kind,
        long taskId,
        long experimentId,
        int attempt,
        String workerId,
        String reason) {

    public enum Kind {
        /** Stop every running experiment of the task and drop its queued jobs. */
        CANCEL_TASK,
        /** Stop one attempt: the coordinator no longer expects its result. */
        ABORT_ATTEMPT,
        /** New jobs were published: idle workers look at the queues now instead of at their next poll. */
        JOBS_AVAILABLE
    }

    public static ControlMessage jobsAvailable() {
        return new ControlMessage(Schema.VERSION, Kind.JOBS_AVAILABLE, 0, 0, 0, null, null);
    }

    public static ControlMessage cancelTask(long taskId, String reason) {
        return new ControlMessage(Schema.VERSION, Kind.CANCEL_TASK, taskId, 0, 0, null, reason);
    }

    public static ControlMessage abortAttempt(long taskId, long experimentId, int attempt, String workerId,
                                              String reason) {
        return new ControlMessage(Schema.VERSION, Kind.ABORT_ATTEMPT, taskId, experimentId, attempt, workerId, reason);
    }
}
