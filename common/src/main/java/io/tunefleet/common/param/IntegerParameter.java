package io.tunefleet.common.param;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/** An integer in {@code [low, high]}, optionally sampled on a log scale. */
public record IntegerParameter(String name, long low, long high, boolean log, int gridPoints) implements Parameter {

    /** Ranges with at most this many integers are enumerated whole by grid search. */
    static final int ENUMERATE_UP_TO = 32;

    public IntegerParameter {
        if (low > high) {
            throw new IllegalArgumentException("parameter " + name + ": low > high");
        }
        if (log && low <= 0) {
            throw new IllegalArgumentException("parameter " + name + ": log scale needs low > 0");
        }
        if (gridPoints < 2) {
            throw new IllegalArgumentException("parameter " + name + ": grid_points must be at least 2");
        }
    }

    @Override
    public List<Object> gridValues() {
        List<Object> values = new ArrayList<>();
        if (high - low + 1 <= ENUMERATE_UP_TO) {
            for (long v = low; v <= high; v++) {
                values.add(v);
            }
            return values;
        }
        for (double d : ContinuousParameter.spaced(low, high, log, gridPoints)) {
            long v = Math.round(d);
            if (!values.contains(v)) {
                values.add(v);
            }
        }
        return values;
    }

    @Override
    public Object sample(RandomGenerator random) {
        if (log) {
            double v = Math.exp(random.nextDouble(Math.log(low), Math.log(high + 1.0)));
            return Math.min(high, Math.max(low, (long) Math.floor(v)));
        }
        return random.nextLong(low, high + 1);
    }
}
