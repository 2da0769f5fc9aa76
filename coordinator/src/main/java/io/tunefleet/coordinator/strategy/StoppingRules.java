package io.tunefleet.coordinator.strategy;

import io.tunefleet.common.experiment.FailureClass;
import io.tunefleet.common.task.Objective;
import io.tunefleet.common.task.OptimizationSpec;
import io.tunefleet.common.task.StoppingSpec;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides whether a task stops before {@code max_iterations}: patience (no improvement of at least
 * x % over the best in the last N finished experiments), too many failed experiments, or a spent
 * GPU-hours budget. A pure function of the task's experiments; the reason it returns is what the task
 * records.
 */
public final class StoppingRules {

    /**
     * One experiment as the rules see it.
     *
     * @param finished    it reached a terminal state (succeeded, failed for good, cancelled)
     * @param objective   its objective value when it succeeded
     * @param failure     its failure class when it failed for good
     * @param gpus        GPUs it holds
     * @param startedAtMs when it started running; null if it never ran
     * @param endedAtMs   when it finished; null while it runs
     * @param earlierMs   how long its earlier attempts held their GPUs (retried after a lost worker or a
     *                    retryable failure: the GPUs were used all the same)
     */
    public record Trial(boolean finished, Double objective, FailureClass failure, int gpus, Long startedAtMs,
                        Long endedAtMs, long earlierMs) {

        public static Trial succeeded(double objective, int gpus, long startedAtMs, long endedAtMs) {
            return new Trial(true, objective, null, gpus, startedAtMs, endedAtMs, 0);
        }

        public static Trial failed(FailureClass failure, int gpus, Long startedAtMs, Long endedAtMs) {
            return new Trial(true, null, failure, gpus, startedAtMs, endedAtMs, 0);
        }

        public static Trial running(int gpus, long startedAtMs) {
            return new Trial(false, null, null, gpus, startedAtMs, null, 0);
        }

        /** This trial, its earlier attempts having held its GPUs for {@code ms}. */
        public Trial afterEarlierAttempts(long ms) {
            return new Trial(finished, objective, failure, gpus, startedAtMs, endedAtMs, ms);
        }
    }

    private final StoppingSpec spec;
    private final Objective objective;

    public StoppingRules(StoppingSpec spec, Objective objective) {
        this.spec = spec;
        this.objective = objective;
    }

    public static StoppingRules of(OptimizationSpec optimization) {
        return new StoppingRules(optimization.stopping(), optimization.objective());
    }

    /**
     * The reason to stop suggesting, if any.
     *
     * @param trials every experiment of the task, finished ones in the order their results were committed
     * @param nowMs  the current time, for the GPU hours of running experiments
     */
    public Optional<String> check(List<Trial> trials, long nowMs) {
        if (spec.maxFailedExperiments() > 0) {
            long failed = trials.stream().filter(t -> t.finished && t.objective == null && t.failure != null).count();
            if (failed >= spec.maxFailedExperiments()) {
                return Optional.of("max_failed_experiments reached: " + failed + " experiments failed (limit "
                        + spec.maxFailedExperiments() + ")");
            }
        }
        if (spec.gpuHoursBudget() > 0) {
            double used = gpuHours(trials, nowMs);
            if (used >= spec.gpuHoursBudget()) {
                return Optional.of(String.format(Locale.ROOT, "gpu_hours_budget spent: %.2f of %.2f GPU hours used",
                        used, spec.gpuHoursBudget()));
            }
        }
        if (spec.patienceExperiments() > 0) {
            return patience(trials);
        }
        return Optional.empty();
    }

    /** GPU hours of finished experiments plus those running until {@code nowMs}, every attempt counted. */
    public static double gpuHours(List<Trial> trials, long nowMs) {
        double ms = 0;
        for (Trial t : trials) {
            ms += (double) t.gpus * t.earlierMs;
            if (t.startedAtMs != null) {
                long end = t.endedAtMs != null ? t.endedAtMs : nowMs;
                ms += (double) t.gpus * Math.max(0, end - t.startedAtMs);
            }
        }
        return ms / 3_600_000.0;
    }

    private Optional<String> patience(List<Trial> trials) {
        Double best = null;
        int bestAt = 0;
        int since = 0;
        int n = 0;
        for (Trial t : trials) {
            if (!t.finished) {
                continue;
            }
            n++;
            if (t.objective != null && (best == null || significant(t.objective, best))) {
                best = t.objective;
                bestAt = n;
                since = 0;
                continue;
            }
            if (t.objective != null && objective.isBetter(t.objective, best)) {
                best = t.objective;
                bestAt = n;
            }
            since++;
        }
        if (since < spec.patienceExperiments()) {
            return Optional.empty();
        }
        String bestText = best == null ? "no experiment succeeded"
                : String.format(Locale.ROOT, "best %s %.4g from finished experiment %d", objective.metric(), best, bestAt);
        return Optional.of(String.format(Locale.ROOT,
                "patience: no improvement of at least %s %% in the last %d finished experiments (%s)",
                trimmed(spec.minImprovementPct()), since, bestText));
    }

    /** True when {@code v} beats {@code best} by at least the minimum improvement, relative to |best|. */
    private boolean significant(double v, double best) {
        double margin = Math.abs(best) * spec.minImprovementPct() / 100;
        return objective.higherIsBetter() ? v >= best + margin && v > best : v <= best - margin && v < best;
    }

    private static String trimmed(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
