package io.tunefleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunefleet.launcher.fleetbench.ServiceProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probes the Kubernetes manifests use: {@code /actuator/health/liveness} answers on the coordinator
 * and on a worker wherever they run (not only once Boot detects Kubernetes), and a worker's takes its
 * claim loop in; {@code /actuator/health}, the readiness probe, takes the broker in.
 */
class ProbesTest {

    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theCoordinatorAndAWorkerAnswerTheirLivenessAndReadinessProbes() throws Exception {
        Path coordinatorPort = dir.resolve("coordinator.port");
        Path workerPort = dir.resolve("worker.port");
        String broker = TestBroker.uri().toString();
        try (ServiceProcess coordinator = ServiceProcess.start(dir.resolve("coordinator.log"), List.of("-Xmx256m"),
                List.of("coordinator", "--port", "0", "--port-file", coordinatorPort.toString(),
                        "--db", dir.resolve("t.db").toString(), "--rabbitmq", broker));
             ServiceProcess worker = ServiceProcess.start(dir.resolve("worker.log"), List.of("-Xmx256m"),
                     List.of("worker", "--id", "probed", "--gpus", "sim:1", "--port", "0", "--port-file",
                             workerPort.toString(), "--lock-dir", dir.resolve("locks").toString(),
                             "--rabbitmq", broker))) {
            String coordinatorUrl = "http://127.0.0.1:" + coordinator.awaitPortFile(coordinatorPort, Duration.ofSeconds(120));
            String workerUrl = "http://127.0.0.1:" + worker.awaitPortFile(workerPort, Duration.ofSeconds(120));

            // The server answers (and writes its port) before the application has started: until then
            // liveness reads DOWN, which the manifests' initial delay covers.
            await().atMost(Duration.ofSeconds(60)).until(() -> get(coordinatorUrl + "/actuator/health/liveness")
                    .startsWith("200 ") && get(workerUrl + "/actuator/health/liveness").startsWith("200 "));
            assertThat(get(coordinatorUrl + "/actuator/health/liveness")).isEqualTo("200 {\"status\":\"UP\"}");
            assertThat(get(workerUrl + "/actuator/health/liveness")).startsWith("200 ")
                    .contains("\"claimLoop\":{\"status\":\"UP\"}", "\"livenessState\":{\"status\":\"UP\"}")
                    .doesNotContain("rabbit");
            assertThat(get(coordinatorUrl + "/actuator/health")).startsWith("200 ").contains("\"status\":\"UP\"");
            assertThat(get(workerUrl + "/actuator/health")).startsWith("200 ").contains("\"status\":\"UP\"");
        }
    }

    @Test
    void theKubernetesManifestsProbeLivenessApartFromReadiness() throws Exception {
        for (String manifest : List.of("coordinator.yaml", "worker-daemonset.yaml")) {
            String text = java.nio.file.Files.readString(InfraFilesTest.ROOT.resolve("infra/k8s").resolve(manifest));
            assertThat(text).as(manifest)
                    .contains("livenessProbe:\n            httpGet: {path: /actuator/health/liveness, port: http}")
                    .contains("readinessProbe:\n            httpGet: {path: /actuator/health, port: http}");
        }
    }

    private String get(String url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }
}
