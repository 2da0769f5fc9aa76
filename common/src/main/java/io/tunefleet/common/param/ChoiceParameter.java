package io.tunefleet.common.param;

import java.util.List;
import java.util.random.RandomGenerator;

/** A parameter that takes one of a listed set of values (numbers, strings or booleans). */
public record ChoiceParameter(String name, List<Object> values) implements Parameter {

    public ChoiceParameter {
        values = List.copyOf(values);
        if (values.isEmpty()) {
            throw new IllegalArgumentException("parameter " + name + " has no values");
        }
    }

    @Override
    public List<Object> gridValues() {
        return values;
    }

    @Override
    public Object sample(RandomGenerator random) {
        return values.get(random.nextInt(values.size()));
    }
}
