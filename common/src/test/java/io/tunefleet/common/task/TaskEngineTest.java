package io.tunefleet.common.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TaskEngineTest {

    static String task(String runtime, String engine) {
        return """
                {"task_name": "t", "model": {"id_or_path": "/models/llama.gguf"}, "base_runtime": "%s",
                 "parameters": {"ctx-size": [2048, 4096]}%s}""".formatted(runtime,
                engine == null ? "" : ", \"engine\": " + engine);
    }

    @Test
    void aCustomTaskNamesItsOwnEngineCommand() {
        TaskSpec spec = TaskSpecParser.parse(task("custom",
                "{\"command\": [\"llama-server\", \"-m\", \"{model}\", \"--port\", \"{port}\", \"--host\", \"127.0.0.1\"]}"));

        assertThat(spec.engine().command()).containsExactly("llama-server", "-m", "{model}", "--port", "{port}",
                "--host", "127.0.0.1");
    }

    @Test
    void theCommandMustPassThePortAndTheCustomRuntimeNeedsOne() {
        assertThatThrownBy(() -> TaskSpecParser.parse(task("custom", "{\"command\": [\"llama-server\"]}")))
                .isInstanceOfSatisfying(InvalidTaskException.class, e -> assertThat(e.problems())
                        .extracting(Problem::path).containsExactly("$.engine.command"));
        assertThatThrownBy(() -> TaskSpecParser.parse(task("custom", null)))
                .isInstanceOfSatisfying(InvalidTaskException.class, e -> assertThat(e.problems())
                        .extracting(Problem::path).containsExactly("$.engine"));
        assertThatThrownBy(() -> TaskSpecParser.parse(task("sim", "{\"command\": [\"x\", \"{port}\"]}")))
                .isInstanceOfSatisfying(InvalidTaskException.class, e -> assertThat(e.problems())
                        .extracting(Problem::path).containsExactly("$.engine"));
    }

    @Test
    void aPresetTaskHasNoEngineCommand() {
        assertThat(TaskSpecParser.parse(task("vllm", null)).engine()).isNull();
    }
}
