package io.tunefleet.common.message;

/** A worker is alive, with what it has; sent every few seconds. */
public record HeartbeatMessage(
        int schema,
        String workerId,
        String host,
        int gpusTotal,
        int gpusFree,
        int gpusQuarantined,
        int running,
        long sentAtMs) implements WorkerMessage {
}
