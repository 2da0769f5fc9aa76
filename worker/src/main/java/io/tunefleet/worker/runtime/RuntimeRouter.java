package io.tunefleet.worker.runtime;

import io.tunefleet.common.message.JobMessage;
import io.tunefleet.worker.engine.EnginePreset;
import io.tunefleet.worker.engine.PortAllocator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Chooses the runtime of each job by its {@code runtime}: {@code sim} runs the simulated engine over
 * HTTP ({@link SimEngineRuntime}), or only holds the GPUs ({@link SimRuntime}) when the worker is in
 * {@link RuntimeMode#HOLD}; {@code sglang}, {@code vllm} and engines configured on the worker run as
 * processes ({@link ProcessRuntime}), or in containers ({@link DockerRuntime}) when the worker launches
 * engines with {@link EngineLaunch#DOCKER}. All share one port allocator per host.
 */
public final class RuntimeRouter implements ExperimentRuntime {

    private final RuntimeMode mode;
    private final ExperimentRuntime hold;
    private final ExperimentRuntime sim;
    private final ExperimentRuntime launched;
    private final DockerRuntime docker;

    public RuntimeRouter(RuntimeSettings settings, Map<String, EnginePreset> customEngines,
                         Function<JobMessage, ScoringSpec> scoring) {
        this(settings, customEngines, scoring, EngineLaunch.PROCESS, null);
    }

    /**
     * @param launch how engines other than {@code sim} start
     * @param docker the docker runtime's settings; required when {@code launch} is {@code DOCKER}
     */
    public RuntimeRouter(RuntimeSettings settings, Map<String, EnginePreset> customEngines,
                         Function<JobMessage, ScoringSpec> scoring, EngineLaunch launch, DockerSettings docker) {
        PortAllocator ports = new PortAllocator(settings.portFirst(), settings.portLast(), settings.portLockDir());
        Map<String, EnginePreset> presets = new HashMap<>(EnginePreset.builtIn());
        presets.putAll(customEngines);
        this.mode = settings.mode();
        this.hold = new SimRuntime(settings.simHoldTime());
        this.sim = new SimEngineRuntime(ports, scoring, settings);
        if (launch == EngineLaunch.DOCKER) {
            if (docker == null) {
                throw new IllegalArgumentException("engine launch docker needs docker settings");
            }
            this.docker = new DockerRuntime(presets, ports, scoring, settings, docker);
            this.launched = this.docker;
        } else {
            this.docker = null;
            this.launched = new ProcessRuntime(presets, ports, scoring, settings);
        }
    }

    /**
     * Worker start: removes this worker's engine containers that no live experiment owns (docker
     * launch only); returns how many. Fails when the Docker engine does not answer.
     */
    public int reapOrphans() {
        return docker == null ? 0 : docker.reapOrphans();
    }

    /** The runtimes for a host with default settings and the built-in engines. */
    public static RuntimeRouter standard(RuntimeMode mode, java.time.Duration simHoldTime) {
        return new RuntimeRouter(RuntimeSettings.defaults(mode, simHoldTime), Map.of(), ScoringSpec.DEFAULT);
    }

    @Override
    public RunResult run(JobMessage job, List<Integer> gpuIndices) throws InterruptedException {
        return route(job).run(job, gpuIndices);
    }

    ExperimentRuntime route(JobMessage job) {
        if ("sim".equals(job.runtime())) {
            return mode == RuntimeMode.HOLD ? hold : sim;
        }
        return launched;
    }
}
