package io.tunefleet.common.constraint;

/** A constraint that does not parse or names something the task does not have. */
public final class ConstraintException extends RuntimeException {

    public ConstraintException(String message) {
        super(message);
    }
}
