package io.tunefleet.common.param;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/** A real number in {@code [low, high]}, optionally log-scaled. */
public record ContinuousParameter(String name, double low, double high, boolean log, int gridPoints)
        implements Parameter {

    public ContinuousParameter {
        if (!(low <= high)) {
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
        for (double d : spaced(low, high, log, gridPoints)) {
            values.add(round(d));
        }
        return values;
    }

    @Override
    public Object sample(RandomGenerator random) {
        if (low == high) {
            return low;
        }
        double v = log ? Math.exp(random.nextDouble(Math.log(low), Math.log(high)))
                : random.nextDouble(low, high);
        return round(v);
    }

    /** Rounds to 4 significant decimals so that configs compare and print cleanly. */
    static double round(double v) {
        return Math.round(v * 10_000d) / 10_000d;
    }

    static double[] spaced(double low, double high, boolean log, int points) {
        double[] out = new double[points];
        for (int i = 0; i < points; i++) {
            double t = (double) i / (points - 1);
            out[i] = log ? Math.exp(Math.log(low) + t * (Math.log(high) - Math.log(low)))
                    : low + t * (high - low);
        }
        return out;
    }
}
