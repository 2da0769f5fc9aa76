package io.tunefleet.coordinator.strategy;

import io.tunefleet.common.constraint.AllowedGrid;
import io.tunefleet.common.constraint.Constraints;
import io.tunefleet.common.param.ParameterSet;
import io.tunefleet.common.param.ParameterSpace;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The full product of the parameters' grid values in a fixed order, the last parameter fastest,
 * without the points that violate the task's constraints. It does not step through those one by one
 * ({@link AllowedGrid}, which also bounds the work where it cannot avoid that), so a suggestion costs
 * little however much of a large grid the constraints rule out: the dispatcher that asks serves every
 * task.
 */
final class GridSearch implements Strategy {

    private final UntriedGridPoints allowed;
    private final Set<String> seen;

    /** @param alreadySuggested keys of configurations suggested before a restart, skipped */
    GridSearch(ParameterSpace space, Constraints constraints, Set<String> alreadySuggested) {
        this.allowed = new UntriedGridPoints(space, constraints);
        this.seen = new HashSet<>(alreadySuggested);
    }

    @Override
    public Optional<ParameterSet> suggest() {
        Optional<ParameterSet> next = allowed.next(seen::contains);
        next.ifPresent(config -> seen.add(config.key()));
        return next;
    }

    @Override
    public Optional<String> ended() {
        return allowed.ended();
    }
}
