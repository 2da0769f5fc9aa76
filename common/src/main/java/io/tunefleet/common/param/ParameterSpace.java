package io.tunefleet.common.param;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
}
