package io.tunefleet.coordinator.strategy;

import io.tunefleet.common.constraint.Constraints;
import io.tunefleet.common.param.ParameterSet;
import io.tunefleet.common.param.ParameterSpace;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The full product of the parameters' grid values in a fixed order, the last parameter fastest,
 * skipping points that violate the task's constraints.
 */
final class GridSearch implements Strategy {

    private final ParameterSpace space;
    private final Constraints constraints;
    private final long size;
    private final Set<String> seen;
    private long next;

    /** @param alreadySuggested keys of configurations suggested before a restart, skipped */
    GridSearch(ParameterSpace space, Constraints constraints, Set<String> alreadySuggested) {
        this.space = space;
        this.constraints = constraints;
        this.size = space.gridSize();
        this.seen = new HashSet<>(alreadySuggested);
    }

    @Override
    public Optional<ParameterSet> suggest() {
        while (next < size) {
            ParameterSet candidate = space.gridPoint(next++);
            if (seen.add(candidate.key()) && constraints.allows(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
