package io.tunefleet.common.param;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/** The parameters of a task in the order the task file lists them. */
public record ParameterSpace(List<Parameter> parameters) {

    public ParameterSpace {
        parameters = List.copyOf(parameters);
    }

    /** Number of points a full grid search visits, saturating at {@link Long#MAX_VALUE}. */
    public long gridSize() {
        long size = 1;
        for (Parameter p : parameters) {
            try {
                size = Math.multiplyExact(size, p.gridValues().size());
            } catch (ArithmeticException overflow) {
                return Long.MAX_VALUE;
            }
        }
        return size;
    }

    /**
     * The grid point at {@code index} in row-major order: the last parameter varies fastest.
     *
     * @throws IndexOutOfBoundsException outside {@code [0, gridSize())}, where an index would wrap
     *                                   round to a configuration already visited
     */
    public ParameterSet gridPoint(long index) {
        if (index < 0 || index >= gridSize()) {
            throw new IndexOutOfBoundsException("grid point " + index + " outside a grid of " + gridSize());
        }
        Map<String, Object> values = new LinkedHashMap<>();
        long rest = index;
        for (int i = parameters.size() - 1; i >= 0; i--) {
            Parameter p = parameters.get(i);
            List<Object> grid = p.gridValues();
            values.put(p.name(), grid.get((int) (rest % grid.size())));
            rest /= grid.size();
        }
        return ParameterSet.of(values);
    }

    public ParameterSet sample(RandomGenerator random) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Parameter p : parameters) {
            values.put(p.name(), p.sample(random));
        }
        return ParameterSet.of(values);
    }

    /**
     * The configuration whose {@link ParameterSet#key()} is {@code key}, read back with each
     * parameter's own value type; empty when the key names other parameters or a value this space
     * cannot hold. Parameter names never contain ',' or '=', values never contain ','.
     */
    public Optional<ParameterSet> fromKey(String key) {
        Map<String, String> raw = new LinkedHashMap<>();
        for (String part : key.split(",", -1)) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                return Optional.empty();
            }
            raw.put(part.substring(0, eq), part.substring(eq + 1));
        }
        if (raw.size() != parameters.size()) {
            return Optional.empty();
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Parameter p : parameters) {
            String text = raw.get(p.name());
            if (text == null) {
                return Optional.empty();
            }
            Object value = readValue(p, text);
            if (value == null) {
                return Optional.empty();
            }
            values.put(p.name(), value);
        }
        ParameterSet set = ParameterSet.of(values);
        return set.key().equals(key) ? Optional.of(set) : Optional.empty();
    }

    private static Object readValue(Parameter p, String text) {
        try {
            if (p instanceof IntegerParameter) {
                return Long.parseLong(text);
            }
            if (p instanceof ContinuousParameter) {
                return Double.parseDouble(text);
            }
        } catch (NumberFormatException e) {
            return null;
        }
        for (Object v : ((ChoiceParameter) p).values()) {
            if (ParameterSet.of(Map.of("x", v)).key().equals("x=" + text)) {
                return v;
            }
        }
        return null;
    }
}
