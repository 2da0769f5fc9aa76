package io.tunefleet.common.message;

/** A message that no retry can fix: unparseable, or of a schema version this build does not read. */
public final class UndecodableMessageException extends RuntimeException {

    public UndecodableMessageException(String message) {
        super(message);
    }
}
