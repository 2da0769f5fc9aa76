package io.tunefleet.common.task;

/**
 * When a task stops before {@code max_iterations}; each rule is off when its field is absent (0).
 *
 * @param patienceExperiments  {@code optimization.patience.experiments}: stop after this many finished
 *                             experiments in a row without an improvement of at least
 *                             {@code minImprovementPct} over the best so far
 * @param minImprovementPct    {@code optimization.patience.min_improvement_pct}, default
 *                             {@value #DEFAULT_MIN_IMPROVEMENT_PCT} %
 * @param maxFailedExperiments {@code optimization.max_failed_experiments}: stop once this many experiments
 *                             failed for good
 * @param gpuHoursBudget       {@code optimization.gpu_hours_budget}: stop suggesting once the GPU hours of
 *                             finished and running experiments reach this many
 */
public record StoppingSpec(int patienceExperiments, double minImprovementPct, int maxFailedExperiments,
                           double gpuHoursBudget) {

    public static final double DEFAULT_MIN_IMPROVEMENT_PCT = 1.0;
    private static final StoppingSpec NONE = new StoppingSpec(0, DEFAULT_MIN_IMPROVEMENT_PCT, 0, 0);

    public StoppingSpec {
        if (patienceExperiments < 0 || minImprovementPct < 0 || maxFailedExperiments < 0 || gpuHoursBudget < 0) {
            throw new IllegalArgumentException("stopping rules take no negative values");
        }
    }

    public static StoppingSpec none() {
        return NONE;
    }
}
