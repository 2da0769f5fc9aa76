package io.tunefleet.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tunefleet.worker.node.WorkerSettings;
import io.tunefleet.worker.runtime.EngineLaunch;
import io.tunefleet.worker.runtime.RuntimeMode;
import io.tunefleet.worker.runtime.RuntimeSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class WorkerPropertiesTest {

    private static WorkerProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values))
                .bindOrCreate("tunefleet.worker", WorkerProperties.class);
    }

    @Test
    void theRuntimeModeDefaultsToRealEnginesWithPortsFrom30000() {
        WorkerProperties p = bind(Map.of());

        assertThat(p.runtimeMode()).isEqualTo(RuntimeMode.ENGINE);
        assertThat(p.enginePortRange()).containsExactly(30000, 30999);
        assertThat(p.engines()).isEmpty();
    }

    @Test
    void itsTimingsDefaultToThoseOfAWorkerBuiltInProcess() {
        WorkerProperties p = bind(Map.of());

        assertThat(p.pollInterval()).isEqualTo(WorkerSettings.DEFAULT_POLL_INTERVAL);
        assertThat(p.heartbeatInterval()).isEqualTo(WorkerSettings.DEFAULT_HEARTBEAT_INTERVAL);
        assertThat(p.confirmTimeout()).isEqualTo(WorkerSettings.DEFAULT_CONFIRM_TIMEOUT);
        assertThat(p.cleanGrace()).isEqualTo(WorkerSettings.DEFAULT_CLEAN_GRACE);
        assertThat(p.engineStopGrace()).isEqualTo(RuntimeSettings.DEFAULT_STOP_GRACE);
    }

    /** Engines given 60 s after TERM: a stopping worker waits for them, and a margin for their runs to report. */
    @Test
    void aStoppingWorkerWaitsForItsEnginesStopGraceAndAMargin() {
        WorkerProperties p = bind(Map.of("tunefleet.worker.engine-stop-grace", "60s"));

        WorkerSettings settings = WorkerConfiguration.settings(p, List.of());

        assertThat(settings.engineStopGrace()).isEqualTo(Duration.ofSeconds(60));
        assertThat(settings.stopWait()).isEqualTo(Duration.ofSeconds(60).plus(WorkerSettings.STOP_MARGIN));
    }

    @Test
    void holdModeAndCustomEnginesBind() {
        WorkerProperties p = bind(Map.of("tunefleet.worker.runtime-mode", "hold",
                "tunefleet.worker.engine-ports", "31000-31010",
                "tunefleet.worker.engines.llamacpp[0]", "llama-server",
                "tunefleet.worker.engines.llamacpp[1]", "--port",
                "tunefleet.worker.engines.llamacpp[2]", "{port}"));

        assertThat(p.runtimeMode()).isEqualTo(RuntimeMode.HOLD);
        assertThat(p.enginePortRange()).containsExactly(31000, 31010);
        assertThat(p.engines()).containsEntry("llamacpp", List.of("llama-server", "--port", "{port}"));
        assertThat(WorkerConfiguration.runtime(p)).isNotNull();
    }

    @Test
    void aMalformedPortRangeFailsAtStartup() {
        assertThatThrownBy(() -> bind(Map.of("tunefleet.worker.engine-ports", "30000")))
                .hasStackTraceContaining("engine-ports");
    }

    @Test
    void enginesStartAsProcessesUnlessDockerIsChosenWithGpuRequestsAndPullsOnByDefault() {
        WorkerProperties defaults = bind(Map.of());
        WorkerProperties docker = bind(Map.of("tunefleet.worker.engine-launch", "docker",
                "tunefleet.worker.docker-images.sglang", "registry.local/sglang",
                "tunefleet.worker.docker-gpu-device-requests", "false",
                "tunefleet.worker.docker-binds[0]", "/data:/data:ro"));

        assertThat(defaults.engineLaunch()).isEqualTo(EngineLaunch.PROCESS);
        assertThat(defaults.dockerGpuDeviceRequests()).isTrue();
        assertThat(defaults.dockerPull()).isTrue();
        assertThat(defaults.dockerImages()).containsEntry("sglang", "lmsysorg/sglang")
                .containsEntry("vllm", "vllm/vllm-openai");
        assertThat(docker.engineLaunch()).isEqualTo(EngineLaunch.DOCKER);
        assertThat(docker.dockerImages()).containsEntry("sglang", "registry.local/sglang")
                .containsEntry("vllm", "vllm/vllm-openai");
        assertThat(docker.dockerGpuDeviceRequests()).isFalse();
        assertThat(docker.dockerBinds()).containsExactly("/data:/data:ro");
    }
}
