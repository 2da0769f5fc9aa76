package io.tunefleet.common.message;

import java.util.List;

/**
 * A worker is alive, with what it has; sent every few seconds.
 *
 * @param processStartedAtMs when this worker's process started, by its clock (the clock of its
 *                           claims' times); null from a worker that does not say. A later value than
 *                           an attempt's claim time means the worker restarted since it claimed it,
 *                           and the run died with the earlier process
 * @param heldAttempts       the attempts this worker holds ({@link JobMessage#attemptKey}): running,
 *                           or their result not yet confirmed by the broker; null from a worker that
 *                           does not say. An attempt the coordinator has running on this worker that
 *                           stays out of the list is no longer run anywhere
 */
public record HeartbeatMessage(
        int schema,
        String workerId,
        String host,
        int gpusTotal,
        int gpusFree,
        int gpusQuarantined,
        int running,
        long sentAtMs,
        Long processStartedAtMs,
        List<String> heldAttempts) implements WorkerMessage {

    /** A heartbeat that says neither when its process started nor what it holds. */
    public HeartbeatMessage(int schema, String workerId, String host, int gpusTotal, int gpusFree,
                            int gpusQuarantined, int running, long sentAtMs) {
        this(schema, workerId, host, gpusTotal, gpusFree, gpusQuarantined, running, sentAtMs, null, null);
    }
}
