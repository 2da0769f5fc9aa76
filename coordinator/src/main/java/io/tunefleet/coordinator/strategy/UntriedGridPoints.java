package io.tunefleet.coordinator.strategy;

import io.tunefleet.common.constraint.AllowedGrid;
import io.tunefleet.common.constraint.Constraints;
import io.tunefleet.common.param.ParameterSet;
import io.tunefleet.common.param.ParameterSpace;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The grid points the constraints allow that a strategy has not tried yet, in grid order: the whole
 * of grid search, and what random and Bayesian search fall back on once their draws keep missing. One
 * walk of {@link AllowedGrid}, worked out on first use, that goes on where the last call left it and
 * pauses at its budget (the dispatcher asks again on its next pass).
 */
final class UntriedGridPoints {

    /** Why a search that ran out of configurations ended. */
    static final String EXHAUSTED = "search space exhausted";

    private final ParameterSpace space;
    private final Constraints constraints;
    private AllowedGrid.Walk walk;

    UntriedGridPoints(ParameterSpace space, Constraints constraints) {
        this.space = space;
        this.constraints = constraints;
    }

    /** Whether the walk has begun. */
    boolean started() {
        return walk != null;
    }

    /** The next allowed point {@code tried} does not hold; empty at the end of the grid or at a pause. */
    Optional<ParameterSet> next(Predicate<String> tried) {
        if (walk == null) {
            walk = AllowedGrid.of(space, constraints).iterator();
        }
        while (walk.hasNext()) {
            ParameterSet config = walk.next();
            if (!tried.test(config.key())) {
                return Optional.of(config);
            }
        }
        return Optional.empty();
    }

    /** {@link Strategy#ended} after an empty {@link #next}: the end of the grid, the walk gave up, or it paused. */
    Optional<String> ended() {
        if (walk != null && walk.paused()) {
            return Optional.empty();
        }
        return Optional.of(walk != null && walk.gaveUp()
                ? "search ended: " + String.format(Locale.ROOT, "%,d", AllowedGrid.GIVE_UP_AFTER)
                        + " grid points in a row broke the constraints"
                : EXHAUSTED);
    }
}
