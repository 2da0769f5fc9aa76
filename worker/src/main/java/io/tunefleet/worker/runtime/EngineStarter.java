package io.tunefleet.worker.runtime;

import io.tunefleet.common.message.JobMessage;
import io.tunefleet.worker.sim.EngineStartException;
import java.io.IOException;
import java.util.List;

/** Starts the engine of one experiment on its GPUs and port. */
interface EngineStarter {

    EngineHandle start(JobMessage job, List<Integer> gpus, int port) throws IOException, EngineStartException;
}
