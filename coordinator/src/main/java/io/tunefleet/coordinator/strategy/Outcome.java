package io.tunefleet.coordinator.strategy;

import io.tunefleet.common.experiment.FailureClass;

/**
 * How an experiment ended, as a strategy learns it.
 *
 * @param objective the objective metric of a successful experiment; null when it failed or reported none
 * @param failure   why it failed; null when it succeeded or the class is unknown
 */
public record Outcome(Double objective, FailureClass failure) {

    public static Outcome succeeded(double objective) {
        return new Outcome(objective, null);
    }

    public static Outcome failed(FailureClass failure) {
        return new Outcome(null, failure);
    }

    /** The dispatcher's view of a committed result: a value, or a failure of the given class (null if unknown). */
    public static Outcome of(Double objective, FailureClass failure) {
        return objective != null && Double.isFinite(objective) ? succeeded(objective) : failed(failure);
    }

    public boolean succeeded() {
        return objective != null;
    }

    /**
     * True when the configuration itself cannot run: out of memory, rejected flags, or more GPUs than any
     * worker has. Such a region is infeasible; a timeout or an infrastructure failure says nothing about it.
     */
    public boolean infeasible() {
        return failure == FailureClass.OUT_OF_MEMORY || failure == FailureClass.INVALID_CONFIG
                || failure == FailureClass.UNSCHEDULABLE;
    }
}
