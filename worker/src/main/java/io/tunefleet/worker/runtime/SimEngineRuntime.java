package io.tunefleet.worker.runtime;

import io.tunefleet.common.message.JobMessage;
import io.tunefleet.worker.engine.PortAllocator;
import io.tunefleet.worker.sim.SimEngine;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Runs an experiment on the simulated engine through the same path as a real one: a real HTTP
 * server on a reserved port, health wait, streaming benchmark, scoring, stop.
 */
public final class SimEngineRuntime implements ExperimentRuntime {

    private final EngineExperiment experiment;

    public SimEngineRuntime(PortAllocator ports, Function<JobMessage, ScoringSpec> scoring, RuntimeSettings settings) {
        this.experiment = new EngineExperiment(ports, scoring, settings);
    }

    @Override
    public RunResult run(JobMessage job, List<Integer> gpuIndices) throws InterruptedException {
        return experiment.run(job, gpuIndices, (j, gpus, port) -> {
            SimEngine engine = SimEngine.forConfig(EngineExperiment.params(j), j.model(), port);
            return new EngineHandle() {
                private volatile boolean closed;

                @Override
                public boolean alive() {
                    return !closed;
                }

                @Override
                public String logTail() {
                    return "(sim engine)";
                }

                @Override
                public void close() {
                    closed = true;
                    engine.close();
                }

                @Override
                public Set<Integer> pids() {
                    return Set.of(); // it serves from this JVM: no process of its own
                }
            };
        });
    }
}
