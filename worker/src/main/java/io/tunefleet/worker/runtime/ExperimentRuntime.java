package io.tunefleet.worker.runtime;

import io.tunefleet.common.message.JobMessage;
import java.util.List;

/**
 * Runs one experiment on exactly the reserved GPUs: start the engine, wait until it serves,
 * benchmark it, stop it. Implementations: the simulated engine here; docker and process runtimes
 * plug in behind the same interface.
 */
public interface ExperimentRuntime {

    /**
     * Runs the experiment and always cleans up before returning. Failures are reported in the
     * result, classified; only a bug throws.
     *
     * @param gpuIndices the GPUs reserved for this experiment, and the only ones it may use
     */
    RunResult run(JobMessage job, List<Integer> gpuIndices) throws InterruptedException;
}
