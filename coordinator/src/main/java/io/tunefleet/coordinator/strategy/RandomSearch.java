package io.tunefleet.coordinator.strategy;

import io.tunefleet.common.constraint.Constraints;
import io.tunefleet.common.param.ContinuousParameter;
import io.tunefleet.common.param.ParameterSet;
import io.tunefleet.common.param.ParameterSpace;
import java.util.HashSet;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * Seeded random sampling without repeats. The same seed gives the same sequence, and a strategy
 * rebuilt after a restart skips what it suggested before, so it continues where it left off. Points
 * that violate the task's constraints are drawn and skipped.
 */
final class RandomSearch implements Strategy {

    /** Draws in a row that found only known configurations before the space counts as exhausted. */
    static final int MAX_MISSES = 10_000;

    private final ParameterSpace space;
    private final Constraints constraints;
    private final Random random;
    private final Set<String> seen;
    private final Set<String> replay;

    RandomSearch(ParameterSpace space, Constraints constraints, long seed, Set<String> alreadySuggested) {
        this.space = space;
        this.constraints = constraints;
        this.random = new Random(seed);
        this.seen = new HashSet<>();
        this.replay = new HashSet<>(alreadySuggested);
    }

    @Override
    public Optional<ParameterSet> suggest() {
        long gridSize = space.gridSize();
        for (int misses = 0; misses < MAX_MISSES; misses++) {
            ParameterSet candidate = space.sample(random);
            if (!seen.add(candidate.key())) {
                if (seen.size() >= gridSize && isFinite()) {
                    return Optional.empty();
                }
                continue;
            }
            if (replay.remove(candidate.key())) {
                misses = -1;
                continue;
            }
            if (!constraints.allows(candidate)) {
                continue;
            }
            return Optional.of(candidate);
        }
        return Optional.empty();
    }

    private boolean isFinite() {
        return space.parameters().stream().noneMatch(p -> p instanceof ContinuousParameter);
    }
}
