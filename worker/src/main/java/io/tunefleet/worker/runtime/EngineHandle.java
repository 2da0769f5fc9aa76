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

    /** A handle made of the three operations, for engines that already offer them. */
    static EngineHandle of(java.util.function.BooleanSupplier alive, java.util.function.Supplier<String> logTail,
                           Runnable close) {
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
        };
    }
}
