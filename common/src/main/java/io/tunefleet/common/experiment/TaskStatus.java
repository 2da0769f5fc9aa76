package io.tunefleet.common.experiment;

/** PENDING -> RUNNING -> COMPLETED | FAILED | CANCELLED. */
public enum TaskStatus {
    PENDING,
    RUNNING,
    COMPLETED,
    FAILED,
    CANCELLED;

    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }
}
