package io.tunefleet.worker.engine;

import io.tunefleet.common.param.EngineArgs;
import io.tunefleet.common.param.ParameterSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How to start an engine: an argv template with {@code {model}}, {@code {port}}, {@code {gpus}} and
 * {@code {host_gpus}} placeholders, followed by the experiment's flags from {@link EngineArgs}. The result is an argv
 * list, never a shell string: a placeholder is replaced inside its own element and a parameter value
 * is one element, whatever characters it holds.
 */
public record EnginePreset(String name, List<String> command) {

    public static final EnginePreset SGLANG = new EnginePreset("sglang", List.of("python3", "-m",
            "sglang.launch_server", "--model-path", "{model}", "--port", "{port}", "--host", "127.0.0.1"));
    public static final EnginePreset VLLM = new EnginePreset("vllm", List.of("vllm", "serve", "{model}", "--port",
            "{port}"));

    public EnginePreset {
        command = List.copyOf(command);
        if (command.isEmpty() || command.get(0).isBlank()) {
            throw new IllegalArgumentException("engine " + name + " needs a command");
        }
    }

    /**
     * The engine of a job: the task's own command when it brings one, else the worker's preset for
     * the job's runtime; null when there is neither.
     */
    public static EnginePreset forJob(io.tunefleet.common.message.JobMessage job, Map<String, EnginePreset> presets) {
        return job.engineCommand() != null ? new EnginePreset(job.runtime(), job.engineCommand())
                : presets.get(job.runtime());
    }

    /** The built-in presets by name. */
    public static Map<String, EnginePreset> builtIn() {
        return Map.of(SGLANG.name(), SGLANG, VLLM.name(), VLLM);
    }

    /**
     * @param gpus     the reserved GPUs as the engine sees them ({@code {gpus}}): numbered from 0 where
     *                 {@code CUDA_VISIBLE_DEVICES} or a container's device request holds the reservation
     * @param hostGpus the reserved GPUs by the host's indices, as nvidia-smi numbers them ({@code {host_gpus}})
     */
    public List<String> argv(String model, int port, List<Integer> gpus, List<Integer> hostGpus, ParameterSet params) {
        List<String> argv = new ArrayList<>();
        for (String element : command) {
            argv.add(element.replace("{model}", model).replace("{port}", Integer.toString(port))
                    .replace("{host_gpus}", list(hostGpus)).replace("{gpus}", list(gpus)));
        }
        argv.addAll(EngineArgs.of(params));
        return List.copyOf(argv);
    }

    private static String list(List<Integer> gpus) {
        return gpus.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
}
