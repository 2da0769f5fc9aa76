package io.tunefleet.coordinator.strategy;

import io.tunefleet.common.constraint.Constraints;
import io.tunefleet.common.param.ChoiceParameter;
import io.tunefleet.common.param.IntegerParameter;
import io.tunefleet.common.param.Parameter;
import io.tunefleet.common.param.ParameterSet;
import io.tunefleet.common.param.ParameterSpace;
import java.util.HashSet;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * Seeded random sampling without repeats, skipping configurations that break the task's
 * constraints. The same seed gives the same sequence, and a strategy rebuilt after a restart skips
 * what it suggested before, so it continues where it left off. When draws keep finding only
 * configurations tried or ruled out (constraints that allow few points of a large space, or a space
 * nearly used up), the allowed grid points not tried yet are taken in grid order, so that the search
 * ends as exhausted only when it is.
 */
final class RandomSearch implements Strategy {

    /** Draws in a row that found nothing new before the allowed grid points are walked instead. */
    static final int MAX_MISSES = 10_000;
    /** The same, on each call after the walk began. */
    static final int MAX_MISSES_ONCE_WALKING = 1_000;

    private final ParameterSpace space;
    private final Constraints constraints;
    private final Random random;
    private final Set<String> seen;
    private final Set<String> replay;
    /** Distinct configurations {@link ParameterSpace#sample} can draw; {@link Long#MAX_VALUE} when unbounded. */
    private final long sampleSpaceSize;
    /** The allowed grid points in order, walked from the first time draws found nothing new on. */
    private final UntriedGridPoints untried;

    RandomSearch(ParameterSpace space, Constraints constraints, long seed, Set<String> alreadySuggested) {
        this.space = space;
        this.constraints = constraints;
        this.sampleSpaceSize = sampleSpaceSize(space);
        this.random = new Random(seed);
        this.seen = new HashSet<>();
        this.replay = new HashSet<>(alreadySuggested);
        this.untried = new UntriedGridPoints(space, constraints);
    }

    @Override
    public Optional<ParameterSet> suggest() {
        // Draws first, always, so that the search keeps sampling the space; fewer once they have missed
        // that many in a row before, as each call costs the dispatcher that serves every task.
        int maxMisses = untried.started() ? MAX_MISSES_ONCE_WALKING : MAX_MISSES;
        for (int misses = 0; misses < maxMisses; misses++) {
            ParameterSet candidate = space.sample(random);
            if (!seen.add(candidate.key())) {
                if (seen.size() >= sampleSpaceSize) {
                    return Optional.empty();
                }
                continue;
            }
            if (replay.remove(candidate.key())) {
                // suggested before a restart: not a miss, the sequence just catches up
                misses = -1;
                continue;
            }
            if (!constraints.allows(candidate)) {
                continue;
            }
            return Optional.of(candidate);
        }
        // Neither drawn nor suggested before a restart.
        Optional<ParameterSet> next = untried.next(key -> seen.contains(key) || replay.contains(key));
        next.ifPresent(config -> seen.add(config.key()));
        return next;
    }

    @Override
    public Optional<String> ended() {
        return untried.ended();
    }

    /**
     * Sampling draws any integer of an integer range, not only its grid points, so the grid size
     * would call a space exhausted long before it is.
     */
    private static long sampleSpaceSize(ParameterSpace space) {
        long size = 1;
        for (Parameter p : space.parameters()) {
            long values;
            if (p instanceof ChoiceParameter c) {
                values = c.values().size();
            } else if (p instanceof IntegerParameter i) {
                values = i.high() - i.low() + 1;
            } else {
                return Long.MAX_VALUE;
            }
            try {
                size = Math.multiplyExact(size, values);
            } catch (ArithmeticException overflow) {
                return Long.MAX_VALUE;
            }
        }
        return size;
    }
}
