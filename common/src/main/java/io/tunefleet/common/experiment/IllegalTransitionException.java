package io.tunefleet.common.experiment;

/** A move the transition table does not allow: a bug in the caller, never a lost race. */
public final class IllegalTransitionException extends IllegalStateException {

    private final ExperimentState from;
    private final ExperimentState to;

    public IllegalTransitionException(ExperimentState from, ExperimentState to) {
        super("illegal experiment transition " + from + " -> " + to);
        this.from = from;
        this.to = to;
    }

    public ExperimentState from() {
        return from;
    }

    public ExperimentState to() {
        return to;
    }
}
