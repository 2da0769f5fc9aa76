package io.tunefleet.common.experiment;

/** Why an experiment failed, and whether running it again elsewhere could help. */
public enum FailureClass {
    /** The engine ran out of GPU memory: the configuration does not fit, retrying will not help. */
    OUT_OF_MEMORY(false),
    /**
     * The engine rejected the flag combination, or the workers refused the job as published
     * (unreadable or invalid parameters): the job is then in the dead-letter queue.
     */
    INVALID_CONFIG(false),
    /** The engine did not become healthy in time. */
    STARTUP_TIMEOUT(true),
    /** The engine served but the benchmark failed. */
    BENCHMARK_ERROR(true),
    /** The worker, host, broker or container runtime failed; the config itself is not to blame. */
    INFRASTRUCTURE(true),
    /** No worker in the fleet has as many GPUs as the experiment needs. */
    UNSCHEDULABLE(false),
    /**
     * The worker was stopped (shut down, redeployed) while the run went on: neither the config nor
     * the host is to blame, so the attempt is run again and does not count against max_retries.
     */
    WORKER_STOPPED(true);

    private final boolean retryable;

    FailureClass(boolean retryable) {
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }

    /** Whether an attempt that failed this way uses up one of the experiment's max_retries. */
    public boolean countsAgainstRetries() {
        return this != WORKER_STOPPED;
    }
}
