package io.tunefleet.common.task;

import io.tunefleet.common.param.ParameterSet;
import java.time.Duration;
import java.util.List;

/**
 * How the search runs.
 *
 * @param maxParallelExperiments the task's window: never more experiments in flight than this
 * @param timeoutPerIteration    a worker stops an engine that runs longer than this
 * @param seed                   seeds random suggestions, so a run can be repeated
 * @param maxRetries             new attempts for an experiment whose failure is retryable
 * @param nInitialRandom         {@code optimization.n_initial_random}: random start points of the bayesian
 *                               strategy; 0 means {@link #initialRandomPoints(int) the default}
 * @param stopping               rules that stop the task early
 */
public record OptimizationSpec(
        StrategyKind strategy,
        Objective objective,
        int maxIterations,
        int maxParallelExperiments,
        Duration timeoutPerIteration,
        long seed,
        int maxRetries,
        int nInitialRandom,
        StoppingSpec stopping,
        List<ParameterSet> configurations) {

    public static final int DEFAULT_MAX_ITERATIONS = 20;
    public static final int DEFAULT_MAX_PARALLEL = 1;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(600);
    public static final long DEFAULT_SEED = 42;
    public static final int DEFAULT_MAX_RETRIES = 2;
    /** Bounds of the default number of random start points, 2 per parameter in between. */
    public static final int MIN_INITIAL_RANDOM = 5;
    public static final int MAX_INITIAL_RANDOM = 10;

    public OptimizationSpec {
        if (nInitialRandom < 0) {
            throw new IllegalArgumentException("n_initial_random must not be negative");
        }
        stopping = stopping == null ? StoppingSpec.none() : stopping;
        configurations = configurations == null ? List.of() : List.copyOf(configurations);
    }

    /** A spec without an explicit list of configurations. */
    public OptimizationSpec(StrategyKind strategy, Objective objective, int maxIterations, int maxParallelExperiments,
                            Duration timeoutPerIteration, long seed, int maxRetries, int nInitialRandom,
                            StoppingSpec stopping) {
        this(strategy, objective, maxIterations, maxParallelExperiments, timeoutPerIteration, seed, maxRetries,
                nInitialRandom, stopping, List.of());
    }

    /** A spec without start-point override and without stopping rules. */
    public OptimizationSpec(StrategyKind strategy, Objective objective, int maxIterations, int maxParallelExperiments,
                            Duration timeoutPerIteration, long seed, int maxRetries) {
        this(strategy, objective, maxIterations, maxParallelExperiments, timeoutPerIteration, seed, maxRetries, 0,
                StoppingSpec.none(), List.of());
    }

    /** Random start points for a space of {@code dimensions} parameters: the task's, or 2 per parameter within [5, 10]. */
    public int initialRandomPoints(int dimensions) {
        if (nInitialRandom > 0) {
            return nInitialRandom;
        }
        return Math.max(MIN_INITIAL_RANDOM, Math.min(MAX_INITIAL_RANDOM, 2 * dimensions));
    }
}
