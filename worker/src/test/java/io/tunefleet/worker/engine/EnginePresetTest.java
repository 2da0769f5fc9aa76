package io.tunefleet.worker.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunefleet.common.param.ParameterSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnginePresetTest {

    @Test
    void sglangPresetBuildsItsArgvWithFlagsFromParameters() {
        List<String> argv = EnginePreset.SGLANG.argv("meta-llama/Llama-3.1-8B", 30001, List.of(0, 1), List.of(2, 3),
                ParameterSet.of(Map.of("tp-size", 2, "enable-torch-compile", true, "disable-cuda-graph", false)));

        assertThat(argv).containsExactly("python3", "-m", "sglang.launch_server", "--model-path",
                "meta-llama/Llama-3.1-8B", "--port", "30001", "--host", "127.0.0.1", "--enable-torch-compile",
                "--tp-size", "2");
    }

    @Test
    void vllmPresetPutsTheModelFirst() {
        assertThat(EnginePreset.VLLM.argv("m", 30002, List.of(0), List.of(0), ParameterSet.of(Map.of())))
                .containsExactly("vllm", "serve", "m", "--port", "30002");
    }

    @Test
    void aHostileValueStaysOneArgvElementAndNeverMeetsAShell() {
        List<String> argv = new EnginePreset("custom", List.of("/opt/engine", "--gpus", "{gpus}")).argv("m; ls", 1,
                List.of(0, 1), List.of(0, 1), ParameterSet.of(Map.of("schedule-policy", "1; rm -rf /")));

        assertThat(argv).containsExactly("/opt/engine", "--gpus", "0,1", "--schedule-policy", "1; rm -rf /");
    }

    @Test
    void gpusAreNumberedAsTheEngineSeesThemAndHostGpusAsTheHostDoes() {
        List<String> argv = new EnginePreset("custom", List.of("/opt/engine", "--devices", "{gpus}", "--numa-of",
                "{host_gpus}")).argv("m", 1, List.of(0, 1), List.of(4, 6), ParameterSet.of(Map.of()));

        assertThat(argv).containsExactly("/opt/engine", "--devices", "0,1", "--numa-of", "4,6");
    }
}
