package io.tunefleet.coordinator.strategy;

import io.tunefleet.common.param.ChoiceParameter;
import io.tunefleet.common.param.ContinuousParameter;
import io.tunefleet.common.param.IntegerParameter;
import io.tunefleet.common.param.Parameter;
import io.tunefleet.common.param.ParameterSet;
import io.tunefleet.common.param.ParameterSpace;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Maps configurations to points the search models: every numeric dimension to {@code [0, 1]} (on a log
 * scale where the parameter asks), numeric choices of three or more values to their rank (ordinal, so
 * that 2 lies between 1 and 4), and other choices to a category index.
 */
final class SpaceEncoding {

    enum Kind { CATEGORICAL, ORDINAL, INTEGER, CONTINUOUS }

    private final List<Parameter> parameters;
    private final Kind[] kinds;
    /** Values of choice dimensions; ordinal ones sorted ascending. */
    private final List<List<Object>> choices = new ArrayList<>();

    SpaceEncoding(ParameterSpace space) {
        this.parameters = space.parameters();
        this.kinds = new Kind[parameters.size()];
        for (int d = 0; d < kinds.length; d++) {
            Parameter p = parameters.get(d);
            List<Object> values = List.of();
            if (p instanceof ChoiceParameter c) {
                boolean numeric = c.values().stream().allMatch(v -> v instanceof Number);
                if (numeric && c.values().size() >= 3) {
                    kinds[d] = Kind.ORDINAL;
                    List<Object> sorted = new ArrayList<>(c.values());
                    sorted.sort(Comparator.comparingDouble(v -> ((Number) v).doubleValue()));
                    values = sorted;
                } else {
                    kinds[d] = Kind.CATEGORICAL;
                    values = c.values();
                }
            } else {
                kinds[d] = p instanceof IntegerParameter ? Kind.INTEGER : Kind.CONTINUOUS;
            }
            choices.add(values);
        }
    }

    int dims() {
        return kinds.length;
    }

    boolean categorical(int d) {
        return kinds[d] == Kind.CATEGORICAL;
    }

    /** Number of categories of a categorical dimension. */
    int categories(int d) {
        return choices.get(d).size();
    }

    /** The narrowest kernel that still reaches a neighbouring value of a discrete dimension. */
    double minBandwidth(int d) {
        return switch (kinds[d]) {
            case ORDINAL -> choices.get(d).size() <= 1 ? 1 : 0.5 / (choices.get(d).size() - 1);
            case INTEGER -> {
                IntegerParameter p = (IntegerParameter) parameters.get(d);
                double span = p.log() ? Math.log(p.high()) - Math.log(p.low()) : p.high() - p.low();
                double step = p.log() ? Math.log((p.low() + 1.0) / p.low()) : 1;
                yield span <= 0 ? 1 : Math.min(0.5, 0.5 * step / span);
            }
            case CONTINUOUS -> 0.01;
            case CATEGORICAL -> 0;
        };
    }

    double[] encode(ParameterSet config) {
        double[] x = new double[kinds.length];
        for (int d = 0; d < kinds.length; d++) {
            Object v = config.get(parameters.get(d).name());
            x[d] = switch (kinds[d]) {
                case CATEGORICAL -> indexOf(d, v);
                case ORDINAL -> choices.get(d).size() <= 1 ? 0.5 : (double) indexOf(d, v) / (choices.get(d).size() - 1);
                case INTEGER -> {
                    IntegerParameter p = (IntegerParameter) parameters.get(d);
                    yield unit(((Number) v).doubleValue(), p.low(), p.high(), p.log());
                }
                case CONTINUOUS -> {
                    ContinuousParameter p = (ContinuousParameter) parameters.get(d);
                    yield unit(((Number) v).doubleValue(), p.low(), p.high(), p.log());
                }
            };
        }
        return x;
    }

    ParameterSet decode(double[] x) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int d = 0; d < kinds.length; d++) {
            Parameter p = parameters.get(d);
            Object v = switch (kinds[d]) {
                case CATEGORICAL -> choices.get(d).get((int) x[d]);
                case ORDINAL -> choices.get(d).get((int) Math.round(clamp(x[d]) * (choices.get(d).size() - 1)));
                case INTEGER -> {
                    IntegerParameter ip = (IntegerParameter) p;
                    long n = Math.round(value(clamp(x[d]), ip.low(), ip.high(), ip.log()));
                    yield Math.min(ip.high(), Math.max(ip.low(), n));
                }
                case CONTINUOUS -> {
                    ContinuousParameter cp = (ContinuousParameter) p;
                    yield cp.snap(value(clamp(x[d]), cp.low(), cp.high(), cp.log()));
                }
            };
            values.put(p.name(), v);
        }
        return ParameterSet.of(values);
    }

    /** A point drawn uniformly from the encoded space (log-uniformly where the parameter is log-scaled). */
    double[] sampleUniform(RandomGenerator random) {
        double[] x = new double[kinds.length];
        for (int d = 0; d < kinds.length; d++) {
            x[d] = categorical(d) ? random.nextInt(categories(d)) : random.nextDouble();
        }
        return x;
    }

    private int indexOf(int d, Object v) {
        List<Object> values = choices.get(d);
        for (int i = 0; i < values.size(); i++) {
            Object c = values.get(i);
            if (c.equals(v) || (c instanceof Number a && v instanceof Number b && a.doubleValue() == b.doubleValue())) {
                return i;
            }
        }
        throw new IllegalArgumentException("value " + v + " is not a choice of " + parameters.get(d).name());
    }

    private static double unit(double v, double low, double high, boolean log) {
        if (high <= low) {
            return 0.5;
        }
        return log ? (Math.log(v) - Math.log(low)) / (Math.log(high) - Math.log(low)) : (v - low) / (high - low);
    }

    private static double value(double u, double low, double high, boolean log) {
        return log ? Math.exp(Math.log(low) + u * (Math.log(high) - Math.log(low))) : low + u * (high - low);
    }

    private static double clamp(double u) {
        return Math.min(1, Math.max(0, u));
    }
}
