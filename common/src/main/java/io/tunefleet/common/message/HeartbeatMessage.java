package io.tunefleet.common.message;

/**
 * A worker is alive, with what it has; sent every few seconds.
 *
 * @param processStartedAtMs when this worker's process started, by its clock (the clock of its
 *                           claims' times); null from a worker that does not say. A later value than
 *                           an attempt's claim time means the worker restarted since it claimed it,
 *                           and the run died with the earlier process
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
        Long processStartedAtMs) implements WorkerMessage {

    /** A heartbeat that does not say when its process started. */
    public HeartbeatMessage(int schema, String workerId, String host, int gpusTotal, int gpusFree,
                            int gpusQuarantined, int running, long sentAtMs) {
        this(schema, workerId, host, gpusTotal, gpusFree, gpusQuarantined, running, sentAtMs, null);
    }
}
