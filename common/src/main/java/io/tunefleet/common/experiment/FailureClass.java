package io.tunefleet.common.experiment;

/** Why an experiment failed, and whether running it again elsewhere could help. */
public enum FailureClass {
    /** The engine ran out of GPU memory: the configuration does not fit, retrying will not help. */
    OUT_OF_MEMORY(false),
    /** The engine rejected the flag combination. */
    INVALID_CONFIG(false),
    /** The engine did not become healthy in time. */
    STARTUP_TIMEOUT(true),
    /** The engine served but the benchmark failed. */
    BENCHMARK_ERROR(true),
    /** The worker, host, broker or container runtime failed; the config itself is not to blame. */
    INFRASTRUCTURE(true),
    /** No worker in the fleet has as many GPUs as the experiment needs. */
    UNSCHEDULABLE(false);

    private final boolean retryable;

    FailureClass(boolean retryable) {
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
