package io.tunefleet.worker.concurrent;

import java.util.concurrent.ThreadFactory;

/** Threads that do not keep a stopping worker's JVM alive, named for thread dumps and logs. */
public final class DaemonThreads {

    private DaemonThreads() {
    }

    /** Daemon threads all named {@code name}. */
    public static ThreadFactory named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
