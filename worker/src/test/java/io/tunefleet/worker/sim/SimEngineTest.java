package io.tunefleet.worker.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tunefleet.common.experiment.FailureClass;
import io.tunefleet.common.param.ParameterSet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class SimEngineTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();
    private SimEngine engine;

    @BeforeEach
    void start() throws Exception {
        engine = SimEngine.start(SimEngineOptions.of(0, "sim-8b", LatencyModel.pinned(5, 1)));
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesHealthAndListsItsModel() throws Exception {
        assertThat(get("/health").statusCode()).isEqualTo(200);
        JsonNode models = JSON.readTree(get("/v1/models").body());
        assertThat(models.path("data").path(0).path("id").asString()).isEqualTo("sim-8b");
    }

    @Test
    void aStreamedChatCompletionSendsOneChunkPerTokenThenUsageThenDone() throws Exception {
        String prompt = "x".repeat(40); // 10 tokens at 4 characters each
        HttpResponse<String> r = post("/v1/chat/completions", JSON.writeValueAsString(Map.of("model", "sim-8b",
                "messages", List.of(Map.of("role", "user", "content", prompt)), "max_tokens", 7, "ignore_eos", true,
                "stream", true)));

        List<String> events = r.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        assertThat(events).hasSize(7 + 2).last().isEqualTo("[DONE]");
        assertThat(JSON.readTree(events.get(0)).path("choices").path(0).path("delta").path("content").asString())
                .isNotEmpty();
        JsonNode usage = JSON.readTree(events.get(7)).path("usage");
        assertThat(usage.path("prompt_tokens").asInt()).isEqualTo(10);
        assertThat(usage.path("completion_tokens").asInt()).isEqualTo(7);
        assertThat(usage.path("total_tokens").asInt()).isEqualTo(17);
    }

    @Test
    void withoutIgnoreEosARequestStopsAtItsNaturalLengthAndWithoutStreamingReturnsOneBody() throws Exception {
        HttpResponse<String> r = post("/v1/completions", JSON.writeValueAsString(Map.of("model", "sim-8b",
                "prompt", "hello", "max_tokens", 1000)));

        JsonNode body = JSON.readTree(r.body());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(body.path("usage").path("completion_tokens").asInt())
                .isEqualTo(SimEngineOptions.DEFAULT_NATURAL_LENGTH);
        assertThat(body.path("choices").path(0).path("text").asString()).isNotEmpty();
    }

    @Test
    void aConfigurationWhoseWeightsDoNotFitRunsOutOfMemoryAtStart() {
        ParameterSet tooBig = ParameterSet.of(Map.of("tp-size", 1, "mem-fraction-static", 0.5));

        assertThatThrownBy(() -> SimEngine.forConfig(tooBig, "meta-llama/Llama-3.1-70B-Instruct", 0))
                .isInstanceOfSatisfying(EngineStartException.class,
                        e -> assertThat(e.failureClass()).isEqualTo(FailureClass.OUT_OF_MEMORY));
    }

    @Test
    void anInvalidFlagCombinationCrashesAtStart() {
        assertThatThrownBy(() -> SimEngine.forConfig(ParameterSet.of(Map.of("tp-size", 3)), "llama-8b", 0))
                .isInstanceOfSatisfying(EngineStartException.class,
                        e -> assertThat(e.failureClass()).isEqualTo(FailureClass.INVALID_CONFIG));
    }

    @Test
    void theModelLatencyGrowsWithTheRequestsInFlight() {
        LatencyModel model = LatencyModel.of(ParameterSet.of(Map.of("tp-size", 1)), "llama-8b");

        assertThat(model.tpotMs(64, 100, 100)).isGreaterThan(model.tpotMs(1, 100, 100));
        assertThat(model.ttftMs(64, 100, 100)).isGreaterThan(model.ttftMs(1, 100, 100));
    }
}
