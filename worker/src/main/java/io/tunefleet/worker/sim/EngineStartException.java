package io.tunefleet.worker.sim;

import io.tunefleet.common.experiment.FailureClass;

/** The simulated engine refused to start, the way a real one would (out of memory, bad flags). */
public final class EngineStartException extends Exception {

    private final FailureClass failureClass;

    public EngineStartException(FailureClass failureClass, String message) {
        super(message);
        this.failureClass = failureClass;
    }

    public FailureClass failureClass() {
        return failureClass;
    }
}
