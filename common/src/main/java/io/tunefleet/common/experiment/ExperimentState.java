package io.tunefleet.common.experiment;

/**
 * Where one experiment is in its life. The allowed moves live in {@link ExperimentTransitions};
 * the store guards the same move with {@code UPDATE ... WHERE state = :expected}.
 */
public enum ExperimentState {
    /** Suggested by the strategy (or re-queued as a new attempt) and stored, not yet on the broker. */
    PENDING,
    /** Published to {@code jobs.gpus.N}; waiting for a worker with N free GPUs. */
    QUEUED,
    /** A worker reserved its GPUs and claimed the job. */
    RUNNING,
    /** A result with metrics was committed. */
    SUCCEEDED,
    /** Ended with a classified failure (see {@link FailureClass}). */
    FAILED,
    /** No result arrived before the deadline. */
    TIMED_OUT,
    /** The task was cancelled before the experiment ended. */
    CANCELLED;

    public boolean isTerminal() {
        return this == SUCCEEDED || this == FAILED || this == TIMED_OUT || this == CANCELLED;
    }

    /** Counts against the task's {@code max_parallel_experiments} window. */
    public boolean isInFlight() {
        return this == PENDING || this == QUEUED || this == RUNNING;
    }
}
