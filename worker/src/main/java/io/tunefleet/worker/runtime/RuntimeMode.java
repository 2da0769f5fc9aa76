package io.tunefleet.worker.runtime;

/** Whether {@code sim} experiments run the simulated HTTP engine or only hold their GPUs. */
public enum RuntimeMode {
    /** Start the engine, benchmark it over HTTP, score it. */
    ENGINE,
    /** Hold the GPUs for a set time and report model figures ({@link SimRuntime}); for fleet benchmarks. */
    HOLD
}
