package io.tunefleet.common.scoring;

import io.tunefleet.common.task.Objective;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeSet;

/**
 * Turns the per-level results of a concurrency sweep into the flat metrics the coordinator stores,
 * as the original project did:
 * <ol>
 *   <li>a level that breaks a hard SLO bound by more than its {@code fail_ratio}, or that served no
 *       request at all, is dropped;</li>
 *   <li>the kept levels are aggregated: latencies are the mean over levels, throughput and request
 *       rate the best level (the most the engine sustains within the SLO), request counts the sum;</li>
 *   <li>soft penalties: each bound the aggregate exceeds adds {@code weight * exp(ratio / steepness)}
 *       to a multiplier {@code m = 1 + sum}; the {@code score} is the objective's metric made
 *       {@code m} times worse ({@code value * m} when minimizing, {@code value / m} when maximizing),
 *       so it reads in the objective's direction.</li>
 * </ol>
 * When every level is dropped the configuration is infeasible under the SLO. When the objective's
 * metric was not measured at all (TPOT of one-token answers, say) there is no score.
 */
public final class Scorer {

    /** Per-level figures also kept in the flat map, under {@code c<concurrency>_<name>}. */
    static final List<String> PER_LEVEL = List.of(Metrics.TTFT_MEAN_MS, Metrics.TPOT_MEAN_MS, Metrics.E2E_P99_S,
            Metrics.OUTPUT_TPS_PER_GPU, Metrics.SUCCESS_RATE);

    /** The most a run's soft SLO penalties add to its multiplier: it ranks below any run within reach of its bounds. */
    static final double MAX_PENALTY = 1e12;
    /** Below the exponent at which {@code Math.exp} overflows to infinity. */
    private static final double MAX_EXPONENT = 700;

    private Scorer() {
    }

    public static Score score(Objective objective, Slo slo, List<LevelMetrics> levels) {
        List<LevelMetrics> kept = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        for (LevelMetrics level : levels) {
            String reason = dropReason(slo, level);
            if (reason == null) {
                kept.add(level);
            } else {
                dropped.add("concurrency " + level.concurrency() + ": " + reason);
            }
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put(Metrics.LEVELS_KEPT, (double) kept.size());
        metrics.put(Metrics.LEVELS_DROPPED, (double) dropped.size());
        for (LevelMetrics level : levels) {
            for (String name : PER_LEVEL) {
                double v = level.get(name);
                if (!Double.isNaN(v)) {
                    metrics.put("c" + level.concurrency() + "_" + name, v);
                }
            }
        }
        if (kept.isEmpty()) {
            return new Score(false, Map.copyOf(metrics), dropped);
        }
        Map<String, Double> aggregate = aggregate(kept);
        double multiplier = 1 + penalty(slo, new LevelMetrics(0, aggregate));
        double value = aggregate.getOrDefault(objective.metric(), Double.NaN);
        metrics.putAll(aggregate);
        metrics.put(Metrics.SLO_PENALTY, multiplier);
        if (!Double.isNaN(value)) {
            metrics.put(Metrics.SCORE, objective.higherIsBetter() ? value / multiplier : value * multiplier);
        }
        return new Score(true, Map.copyOf(metrics), dropped);
    }

    /** Why a level is dropped, or null when it is kept. */
    static String dropReason(Slo slo, LevelMetrics level) {
        if (!(level.get(Metrics.SUCCESS_RATE) > 0)) {
            return "no request succeeded";
        }
        for (Slo.Bound bound : slo.bounds()) {
            if (bound.breaksHard(level)) {
                return String.format("%s %.4f s is more than %.0f %% over its hard threshold %.4f s", bound.name(),
                        level.get(bound.metric()) * bound.toSeconds(), bound.failRatio() * 100, bound.threshold());
            }
        }
        return null;
    }

    /**
     * The sum of soft penalties {@code weight * exp(ratio / steepness)} over the bounds exceeded, at
     * most {@link #MAX_PENALTY}: at the default steepness a bound 72 times over its threshold would
     * give an infinite score (and a weight of 0 times that, NaN), which no ranking can order.
     */
    static double penalty(Slo slo, LevelMetrics aggregate) {
        double sum = 0;
        for (Slo.Bound bound : slo.bounds()) {
            double v = bound.violation(aggregate);
            if (v > 0) {
                sum += bound.weight() * Math.exp(Math.min(v / slo.steepness(), MAX_EXPONENT));
            }
        }
        return Math.min(sum, MAX_PENALTY);
    }

    static Map<String, Double> aggregate(List<LevelMetrics> kept) {
        TreeSet<String> names = new TreeSet<>();
        kept.forEach(l -> names.addAll(l.values().keySet()));
        Map<String, Double> out = new LinkedHashMap<>();
        for (String name : names) {
            double sum = 0;
            double best = Double.NEGATIVE_INFINITY;
            int n = 0;
            for (LevelMetrics level : kept) {
                double v = level.get(name);
                if (!Double.isNaN(v)) {
                    sum += v;
                    best = Math.max(best, v);
                    n++;
                }
            }
            if (n > 0) {
                out.put(name, Metrics.isRate(name) ? best : Metrics.isCount(name) ? sum : sum / n);
            }
        }
        return out;
    }

    /**
     * The outcome of scoring.
     *
     * @param feasible false when no level was kept (every one broke a hard SLO or failed outright): the
     *                 configuration cannot meet the SLO
     * @param metrics  flat metrics for the coordinator; {@code score} only when the objective's metric
     *                 was measured
     * @param dropped  why each dropped level was dropped
     */
    public record Score(boolean feasible, Map<String, Double> metrics, List<String> dropped) {

        /** The score, the objective's metric after the SLO penalties; empty when that metric was not measured. */
        public OptionalDouble score() {
            Double v = metrics.get(Metrics.SCORE);
            return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
        }
    }
}
