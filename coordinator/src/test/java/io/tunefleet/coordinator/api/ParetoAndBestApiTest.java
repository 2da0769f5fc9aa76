package io.tunefleet.coordinator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunefleet.common.message.ClaimMessage;
import io.tunefleet.common.message.JobMessage;
import io.tunefleet.common.message.ResultMessage;
import io.tunefleet.common.message.Schema;
import io.tunefleet.coordinator.CoordinatorApplication;
import io.tunefleet.coordinator.CoordinatorTestProperties;
import io.tunefleet.coordinator.dispatch.Dispatcher;
import io.tunefleet.coordinator.dispatch.NoBrokerConfiguration;
import io.tunefleet.coordinator.dispatch.NoBrokerConfiguration.RecordingJobPublisher;
import io.tunefleet.coordinator.store.ExperimentStore;
import io.tunefleet.coordinator.store.StoreWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** {@code /best} and {@code /pareto} on a task whose four results are known. */
@SpringBootTest(classes = CoordinatorApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.config.name=" + CoordinatorApplication.CONFIG_NAME,
                "tunefleet.coordinator.dispatch-tick=100ms"})
@Import(NoBrokerConfiguration.class)
class ParetoAndBestApiTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    /** By suggestion order: output tokens/s per GPU and mean end-to-end latency in seconds. */
    static final Map<Integer, double[]> RESULTS = Map.of(
            1, new double[] {100, 1.0},
            2, new double[] {200, 2.0},
            3, new double[] {150, 2.5}, // dominated by 2: less throughput, more latency
            4, new double[] {50, 0.5});

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        CoordinatorTestProperties.register(registry, "pareto-api");
    }

    @LocalServerPort
    int port;
    @Autowired
    RecordingJobPublisher publisher;
    @Autowired
    ExperimentStore experiments;
    @Autowired
    StoreWriter writer;
    @Autowired
    Dispatcher dispatcher;

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void paretoListsTheNonDominatedExperimentsBestExplainsItselfAndExperimentsPage() throws Exception {
        Map<String, Object> task = post("/api/tasks", """
                {"task_name": "pareto", "model": {"id_or_path": "/models/m"}, "base_runtime": "sim",
                 "parameters": {"tp-size": [1], "mem-fraction-static": [0.7, 0.75, 0.8, 0.85]},
                 "optimization": {"strategy": "grid_search", "objective": "minimize_latency",
                                  "max_iterations": 4, "max_parallel_experiments": 4}}""");
        long id = ((Number) task.get("id")).longValue();
        Set<Long> answered = new HashSet<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (JobMessage job : publisher.published()) {
                if (job.taskId() == id && answered.add(job.experimentId())) {
                    answer(job);
                }
            }
            return "COMPLETED".equals(get("/api/tasks/" + id).get("status"));
        });

        Map<String, Object> pareto = get("/api/tasks/" + id + "/pareto");
        List<Map<String, Object>> front = (List<Map<String, Object>>) pareto.get("front");
        assertThat(front).extracting(p -> (Object) ((Map<?, ?>) p.get("experiment")).get("seq")).containsExactly(2, 1, 4);
        assertThat(front).extracting(p -> p.get("throughput_per_gpu")).containsExactly(200.0, 100.0, 50.0);

        List<Map<String, Object>> page = JSON.readValue(http.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/api/tasks/" + id + "/experiments?limit=2&offset=1")).build(),
                HttpResponse.BodyHandlers.ofString()).body(), new TypeReference<>() { });
        assertThat(page).extracting(e -> (Object) e.get("seq")).containsExactly(2, 3);
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/tasks/" + id
                + "/experiments?limit=0")).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(400);
        List<Map<String, Object>> rest = JSON.readValue(http.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/api/tasks/" + id + "/experiments?offset=2")).build(),
                HttpResponse.BodyHandlers.ofString()).body(), new TypeReference<>() { });
        assertThat(rest).as("an offset without a limit skips as one with it does")
                .extracting(e -> (Object) e.get("seq")).containsExactly(3, 4);
        HttpResponse<String> negative = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/api/tasks/" + id + "/experiments?offset=-5")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(negative.statusCode()).isEqualTo(400);
        assertThat(negative.body()).contains("offset must be at least 0; got -5");

        Map<String, Object> best = get("/api/tasks/" + id + "/best");
        assertThat(((Map<?, ?>) best.get("experiment")).get("seq")).isEqualTo(4);
        assertThat((String) best.get("why")).contains("lowest e2e_latency_mean_s (0.5) among 4", "runner-up #1",
                "50.0 % behind");
    }

    private void answer(JobMessage job) {
        int seq = experiments.find(job.experimentId()).orElseThrow().seq();
        double[] figures = RESULTS.get(seq);
        writer.run(() -> experiments.markRunning(new ClaimMessage(Schema.VERSION, "w", "h", job.taskId(),
                job.experimentId(), job.attempt(), List.of(0), System.currentTimeMillis())));
        writer.run(() -> experiments.commitResult(new ResultMessage(Schema.VERSION, "w", job.taskId(),
                job.experimentId(), job.attempt(), ResultMessage.Outcome.SUCCEEDED, null, null,
                Map.of("output_tokens_per_s_per_gpu", figures[0], "e2e_latency_mean_s", figures[1]), List.of(0),
                System.currentTimeMillis(), System.currentTimeMillis()), figures[1]));
        dispatcher.wake(job.taskId());
    }

    private Map<String, Object> get(String path) throws Exception {
        return JSON.readValue(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body(), new TypeReference<>() { });
    }

    private Map<String, Object> post(String path, String body) throws Exception {
        return JSON.readValue(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString()).body(), new TypeReference<>() { });
    }
}
