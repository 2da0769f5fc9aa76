package io.tunefleet.worker.runtime;

import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** A started engine, as the experiment flow sees it. */
interface EngineHandle extends AutoCloseable {

    /** False once the engine has exited. */
    boolean alive();

    /** The last lines of its output, for errors. */
    String logTail();

    /** Stops it and everything it started; waits until they are gone. */
    @Override
    void close();

    /**
     * The host pids its processes had, complete once it is closed: a GPU that one of them still holds
     * after the run is not clean. Empty for an engine with no process of its own.
     */
    Set<Integer> pids();

    /** A handle made of the four operations, for engines that already offer them. */
    static EngineHandle of(BooleanSupplier alive, Supplier<String> logTail, Runnable close,
                           Supplier<Set<Integer>> pids) {
        return new EngineHandle() {
            @Override
            public boolean alive() {
                return alive.getAsBoolean();
            }

            @Override
            public String logTail() {
                return logTail.get();
            }

            @Override
            public void close() {
                close.run();
            }

            @Override
            public Set<Integer> pids() {
                return pids.get();
            }
        };
    }
}
