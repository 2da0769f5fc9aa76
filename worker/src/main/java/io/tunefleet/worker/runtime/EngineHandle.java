package io.tunefleet.worker.runtime;

/** A started engine, as the experiment flow sees it. */
interface EngineHandle extends AutoCloseable {

    /** False once the engine has exited. */
    boolean alive();

    /** The last lines of its output, for errors. */
    String logTail();

    /** Stops it and everything it started; waits until they are gone. */
    @Override
    void close();
}
