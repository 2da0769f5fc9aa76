package io.tunefleet.common.task;

import java.time.Duration;

/**
 * How the search runs.
 *
 * @param maxParallelExperiments the task's window: never more experiments in flight than this
 * @param timeoutPerIteration    a worker stops an engine that runs longer than this
 * @param seed                   seeds random suggestions, so a run can be repeated
 * @param maxRetries             new attempts for an experiment whose failure is retryable
 */
public record OptimizationSpec(
        StrategyKind strategy,
        Objective objective,
        int maxIterations,
        int maxParallelExperiments,
        Duration timeoutPerIteration,
        long seed,
        int maxRetries) {

    public static final int DEFAULT_MAX_ITERATIONS = 20;
    public static final int DEFAULT_MAX_PARALLEL = 1;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(600);
    public static final long DEFAULT_SEED = 42;
    public static final int DEFAULT_MAX_RETRIES = 2;
}
