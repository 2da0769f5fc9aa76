package io.tunefleet.common.param;

import java.math.BigDecimal;
import java.math.RoundingMode;
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
            double v = clamp(round(d));
            if (!values.contains(v)) {
                values.add(v);
            }
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
        return clamp(round(v));
    }

    /** The value a sample at {@code v} hands out: rounded like {@link #sample} and kept within the bounds. */
    public double snap(double v) {
        return clamp(round(v));
    }

    /** Rounding may step past a bound that is not on the rounding grid; never hand out such a value. */
    private double clamp(double v) {
        return Math.min(high, Math.max(low, v));
    }

    /**
     * Rounds to 4 decimals, or to 4 significant digits where that needs more decimals (1.234e-5), so
     * that configs compare and print cleanly and small log-scaled values do not collapse to 0.
     */
    static double round(double v) {
        if (v == 0 || !Double.isFinite(v)) {
            return v;
        }
        int decimals = Math.max(4, 3 - (int) Math.floor(Math.log10(Math.abs(v))));
        return BigDecimal.valueOf(v).setScale(decimals, RoundingMode.HALF_UP).doubleValue();
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
