package io.tunefleet.worker.runtime;

import io.tunefleet.common.experiment.FailureClass;
import io.tunefleet.common.message.JobMessage;
import io.tunefleet.worker.engine.EnginePreset;
import io.tunefleet.worker.engine.PortAllocator;
import io.tunefleet.worker.engine.ProcessEngine;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an engine installed on the host as a process group of its own, on exactly the reserved GPUs
 * ({@code CUDA_VISIBLE_DEVICES}), and stops the whole group however the experiment ends. The
 * engine comes from the preset named by the job's runtime.
 */
public final class ProcessRuntime implements ExperimentRuntime {

    private static final Logger log = LoggerFactory.getLogger(ProcessRuntime.class);

    private final Map<String, EnginePreset> presets;
    private final RuntimeSettings settings;
    private final EngineExperiment experiment;

    public ProcessRuntime(Map<String, EnginePreset> presets, PortAllocator ports,
                          Function<JobMessage, ScoringSpec> scoring, RuntimeSettings settings) {
        this.presets = Map.copyOf(presets);
        this.settings = settings;
        this.experiment = new EngineExperiment(ports, scoring, settings);
    }

    @Override
    public RunResult run(JobMessage job, List<Integer> gpuIndices) throws InterruptedException {
        EnginePreset preset = EnginePreset.forJob(job, presets);
        if (preset == null) {
            return RunResult.failed(FailureClass.INFRASTRUCTURE, "worker has no engine named " + job.runtime()
                    + "; it knows " + presets.keySet());
        }
        return experiment.run(job, gpuIndices, (j, gpus, port) -> {
            // The engine sees the reserved GPUs numbered from 0 (CUDA_VISIBLE_DEVICES below), as in a container.
            List<String> argv = preset.argv(j.model(), port, IntStream.range(0, gpus.size()).boxed().toList(), gpus,
                    EngineExperiment.params(j));
            String visible = gpus.stream().map(String::valueOf).collect(Collectors.joining(","));
            // CUDA numbers GPUs fastest first unless told PCI bus order, which is nvidia-smi's: without it
            // the indices reserved here could name other GPUs on a host with mixed models.
            ProcessEngine engine = ProcessEngine.start(argv, Map.of("CUDA_VISIBLE_DEVICES", visible,
                    "CUDA_DEVICE_ORDER", "PCI_BUS_ID"),
                    settings.logFile(j), settings.stopGrace().toMillis());
            log.info("task {} experiment {}: started {} as process group {} on GPUs {}, port {}", j.taskId(),
                    j.experimentId(), argv, engine.pgid(), visible, port);
            return EngineHandle.of(engine::alive, () -> engine.logTail(EngineExperiment.LOG_LINES_READ), engine::close, engine::pids);
        });
    }
}
