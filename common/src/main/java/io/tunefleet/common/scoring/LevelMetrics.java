package io.tunefleet.common.scoring;

import java.util.Map;

/** The measured figures of one concurrency level, named as in {@link Metrics}. */
public record LevelMetrics(int concurrency, Map<String, Double> values) {

    public LevelMetrics {
        values = Map.copyOf(values);
    }

    /** The value of a metric, or NaN when the level did not measure it. */
    public double get(String name) {
        Double v = values.get(name);
        return v == null ? Double.NaN : v;
    }
}
