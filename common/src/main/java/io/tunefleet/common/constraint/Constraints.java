package io.tunefleet.common.constraint;

import io.tunefleet.common.param.ParameterSet;
import java.util.List;
import java.util.Optional;

/** All constraints of a task; a configuration is allowed when it satisfies every one. */
public record Constraints(List<Constraint> all) {

    private static final Constraints NONE = new Constraints(List.of());

    public Constraints {
        all = List.copyOf(all);
    }

    public static Constraints none() {
        return NONE;
    }

    public boolean allows(ParameterSet config) {
        for (Constraint c : all) {
            if (!c.test(config)) {
                return false;
            }
        }
        return true;
    }

    /** The first constraint the configuration violates, for messages. */
    public Optional<Constraint> violated(ParameterSet config) {
        return all.stream().filter(c -> !c.test(config)).findFirst();
    }

    public boolean isEmpty() {
        return all.isEmpty();
    }
}
