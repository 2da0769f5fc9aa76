package io.tunefleet.worker.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.DeviceRequest;
import com.github.dockerjava.api.model.HostConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The container's host settings, without a Docker engine. */
class DockerEngineHostConfigTest {

    private static DockerEngine.Spec spec(boolean gpuRequests) {
        return new DockerEngine.Spec("c", "img:1", List.of("vllm", "serve", "m"), List.of(2, 5), gpuRequests,
                Map.of(), List.of("/models/llama:/models/llama:ro"), Path.of("/tmp/x.log"), Duration.ofSeconds(3));
    }

    @Test
    void onlyTheReservedGpusAreRequestedByIndexFromTheNvidiaDriver() {
        HostConfig host = DockerEngine.hostConfig(spec(true));

        assertThat(host.getDeviceRequests()).hasSize(1);
        DeviceRequest request = host.getDeviceRequests().get(0);
        assertThat(request.getDriver()).isEqualTo("nvidia");
        assertThat(request.getDeviceIds()).containsExactly("2", "5");
        assertThat(request.getCount()).isNull();
        assertThat(request.getCapabilities()).containsExactly(List.of("gpu"));
    }

    @Test
    void hostNetworkingHostIpcAndTheModelReadOnly() {
        HostConfig host = DockerEngine.hostConfig(spec(false));

        assertThat(host.getNetworkMode()).isEqualTo("host");
        assertThat(host.getIpcMode()).isEqualTo("host");
        assertThat(host.getBinds()).hasSize(1);
        assertThat(host.getBinds()[0].getPath()).isEqualTo("/models/llama");
        assertThat(host.getBinds()[0].getAccessMode().toString()).isEqualTo("ro");
        assertThat(host.getDeviceRequests()).as("no GPU requested where they are off").isNullOrEmpty();
    }
}
