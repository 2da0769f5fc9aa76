package io.tunefleet.coordinator.strategy;

import io.tunefleet.common.param.ParameterSet;
import java.util.Optional;

/**
 * Suggests the next configuration to try. Called only when a slot in the task's window frees, so a
 * strategy that learns sees every result committed until then. A configuration it suggested and has
 * not yet been told about is pending; no strategy suggests a configuration that is done or pending.
 */
public interface Strategy {

    /**
     * The next configuration, never one suggested before; empty when the space is exhausted, or when
     * none was found within this call's bounded work ({@link #ended} says which).
     */
    Optional<ParameterSet> suggest();

    /**
     * After an empty {@link #suggest}: why the search has ended, as the task records it; empty when the
     * call only stopped at its budget (constraints that rule out long runs of a huge grid), so the next
     * dispatch pass asks again and the search goes on from there.
     */
    default Optional<String> ended() {
        return Optional.of(UntriedGridPoints.EXHAUSTED);
    }

    /** Tells the strategy how a configuration did; {@code objective} is null for failures of unknown class. */
    default void observe(ParameterSet parameters, Double objective) {
        observe(parameters, Outcome.of(objective, null));
    }

    /** Tells the strategy how a configuration did, failure class included. */
    default void observe(ParameterSet parameters, Outcome outcome) {
    }
}
