package io.tunefleet.common.message;

/** Version of the message records; a reader rejects messages of a version it does not know. */
public final class Schema {

    public static final int VERSION = 1;

    private Schema() {
    }
}
