package io.tunefleet.launcher;

import java.net.URI;

/** The embedded broker for tests outside this package. */
public final class EmbeddedBrokers {

    private EmbeddedBrokers() {
    }

    /** A started embedded broker on a free port; close it when done. */
    public static AutoCloseable start() {
        return EmbeddedBroker.start(0);
    }

    public static URI amqpUri(AutoCloseable broker) {
        return ((EmbeddedBroker) broker).amqpUri();
    }
}
