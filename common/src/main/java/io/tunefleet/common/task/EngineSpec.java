package io.tunefleet.common.task;

import java.util.List;

/**
 * A task's own engine: the command that starts any OpenAI-compatible server (llama.cpp server, TGI,
 * TensorRT-LLM, ...), as an argv list with {@code {model}}, {@code {port}} and {@code {gpus}}
 * placeholders. The task's parameters are appended as flags, as for the presets.
 */
public record EngineSpec(List<String> command) {

    public EngineSpec {
        command = List.copyOf(command);
    }
}
