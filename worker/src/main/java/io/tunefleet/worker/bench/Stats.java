package io.tunefleet.worker.bench;

import java.util.Arrays;

/** Mean and percentiles (linear interpolation between closest ranks, as numpy's default). */
public record Stats(double mean, double p50, double p90, double p99) {

    public static final Stats EMPTY = new Stats(Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    public static Stats of(double[] values) {
        double[] v = Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) {
            return EMPTY;
        }
        return new Stats(Arrays.stream(v).average().orElse(Double.NaN), percentile(v, 50), percentile(v, 90),
                percentile(v, 99));
    }

    static double percentile(double[] sorted, double p) {
        double rank = p / 100 * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = (int) Math.ceil(rank);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }
}
