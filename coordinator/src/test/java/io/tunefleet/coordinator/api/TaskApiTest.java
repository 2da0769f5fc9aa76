package io.tunefleet.coordinator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunefleet.common.message.JobMessage;
import io.tunefleet.coordinator.CoordinatorApplication;
import io.tunefleet.coordinator.CoordinatorTestProperties;
import io.tunefleet.coordinator.dispatch.NoBrokerConfiguration;
import io.tunefleet.coordinator.dispatch.NoBrokerConfiguration.RecordingJobPublisher;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The task API over real HTTP, against a coordinator on a real SQLite file and no broker. */
@SpringBootTest(classes = CoordinatorApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.config.name=" + CoordinatorApplication.CONFIG_NAME,
                "tunefleet.coordinator.dispatch-tick=200ms"})
@Import(NoBrokerConfiguration.class)
class TaskApiTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String VALID = """
            {"task_name": "api-test", "model": {"id_or_path": "/models/m"}, "base_runtime": "sim",
             "parameters": {"tp-size": [1, 2], "mem-fraction-static": [0.8, 0.9]},
             "optimization": {"strategy": "grid_search", "max_iterations": 4, "max_parallel_experiments": 2}}""";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        CoordinatorTestProperties.register(registry, "task-api");
    }

    @LocalServerPort
    int port;
    @Autowired
    RecordingJobPublisher publisher;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static Stream<Arguments> badTasks() {
        return Stream.of(
                Arguments.of("task_name, model and parameters missing", """
                        {"base_runtime": "sim"}""",
                        List.of("$.task_name", "$.model", "$.parameters")),
                Arguments.of("wrong types", """
                        {"task_name": 5, "model": "m", "base_runtime": "sim", "parameters": {"tp-size": [1]},
                         "optimization": {"max_iterations": "ten", "max_parallel_experiments": 1.5}}""",
                        List.of("$.task_name", "$.model", "$.optimization.max_iterations",
                                "$.optimization.max_parallel_experiments")),
                Arguments.of("empty parameter list", """
                        {"task_name": "t", "model": {"id_or_path": "m"}, "base_runtime": "sim",
                         "parameters": {"tp-size": [1], "mem-fraction-static": []}}""",
                        List.of("$.parameters.mem-fraction-static")),
                Arguments.of("no parameters at all", """
                        {"task_name": "t", "model": {"id_or_path": "m"}, "base_runtime": "sim", "parameters": {}}""",
                        List.of("$.parameters")),
                Arguments.of("max_parallel_experiments 0", """
                        {"task_name": "t", "model": {"id_or_path": "m"}, "base_runtime": "sim",
                         "parameters": {"tp-size": [1]}, "optimization": {"max_parallel_experiments": 0}}""",
                        List.of("$.optimization.max_parallel_experiments")),
                Arguments.of("unknown strategy", """
                        {"task_name": "t", "model": {"id_or_path": "m"}, "base_runtime": "sim",
                         "parameters": {"tp-size": [1]}, "optimization": {"strategy": "simulated_annealing"}}""",
                        List.of("$.optimization.strategy")),
                Arguments.of("every problem at once", """
                        {"base_runtime": "tgi",
                         "optimization": {"strategy": "hill_climb", "max_parallel_experiments": 0,
                                          "max_iterations": "ten"}}""",
                        List.of("$.task_name", "$.model", "$.base_runtime", "$.parameters",
                                "$.optimization.strategy", "$.optimization.max_parallel_experiments",
                                "$.optimization.max_iterations")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTasks")
    void badTaskIsRejectedWith400NamingEveryBadFieldAndNothingIsStored(String why, String body,
                                                                        List<String> badPaths) throws Exception {
        int tasksBefore = tasks().size();

        HttpResponse<String> response = post("/api/tasks", body, "application/json");

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode json = JSON.readTree(response.body());
        List<String> paths = new ArrayList<>();
        json.get("problems").forEach(p -> paths.add(p.get("path").asString()));
        assertThat(paths).containsExactlyInAnyOrderElementsOf(badPaths);
        json.get("problems").forEach(p -> assertThat(p.get("message").asString()).isNotBlank());
        assertThat(json.get("error").asString()).contains("nothing was stored");
        assertThat(tasks()).hasSize(tasksBefore);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"this is not json", "{\"task_name\": ", "[1, 2]", "42"})
    void bodyThatIsNotATaskObjectIsRejectedWith400AtTheRoot(String body) throws Exception {
        int tasksBefore = tasks().size();

        HttpResponse<String> response = post("/api/tasks", body, "application/json");

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode problems = JSON.readTree(response.body()).get("problems");
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0).get("path").asString()).isEqualTo("$");
        assertThat(tasks()).hasSize(tasksBefore);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "/api/tasks/abc|'id' must be a whole number",
            "/api/tasks/99999999999999999999|'id' must be a whole number",
            "/api/tasks/1/experiments?limit=10&offset=x|'offset' must be a whole number",
            "/api/tasks/1/experiments?limit=ten|'limit' must be a whole number"})
    void aPathOrQueryValueOfTheWrongTypeIs400NamingIt(String path, String says) throws Exception {
        HttpResponse<String> response = get(path);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).get("error").asString()).contains(says);
    }

    @Test
    void aSubmitWithoutABodyIs400SayingSoAndStoresNothing() throws Exception {
        int tasksBefore = tasks().size();

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/api/tasks"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).get("error").asString()).contains("request body");
        assertThat(tasks()).hasSize(tasksBefore);
    }

    @Test
    void unknownTaskIs404WithAnErrorMessage() throws Exception {
        HttpResponse<String> get = get("/api/tasks/999");
        assertThat(get.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(get.body()).get("error").asString()).contains("999");

        HttpResponse<String> cancel = post("/api/tasks/999/cancel", "", "application/json");
        assertThat(cancel.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(cancel.body()).get("error").asString()).contains("999");
    }

    @Test
    void validTaskIsCreatedAndDispatchedThenCancelledOnceAndRefusedTheSecondTime() throws Exception {
        HttpResponse<String> created = post("/api/tasks", VALID, "application/json");

        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode task = JSON.readTree(created.body());
        long id = task.get("id").asLong();
        assertThat(created.headers().firstValue("Location")).hasValueSatisfying(
                location -> assertThat(location).endsWith("/api/tasks/" + id));
        assertThat(task.get("status").asString()).isIn("PENDING", "RUNNING");
        assertThat(task.get("name").asString()).isEqualTo("api-test");

        // the dispatcher fills the window of 2 and no more
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode now = JSON.readTree(get("/api/tasks/" + id).body());
            assertThat(now.get("status").asString()).isEqualTo("RUNNING");
            assertThat(now.get("experiments").get("QUEUED").asInt()).isEqualTo(2);
        });
        assertThat(publisher.published()).filteredOn(j -> j.taskId() == id).extracting(JobMessage::attempt)
                .containsExactly(1, 1);

        HttpResponse<String> cancelled = post("/api/tasks/" + id + "/cancel", "", "application/json");
        assertThat(cancelled.statusCode()).isEqualTo(200);
        JsonNode afterCancel = JSON.readTree(cancelled.body());
        assertThat(afterCancel.get("status").asString()).isEqualTo("CANCELLED");
        assertThat(afterCancel.get("experiments").get("CANCELLED").asInt()).isEqualTo(2);
        assertThat(afterCancel.get("experiments").get("QUEUED").asInt()).isZero();

        HttpResponse<String> again = post("/api/tasks/" + id + "/cancel", "", "application/json");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(again.body()).get("status").asString()).isEqualTo("CANCELLED");

        JsonNode listed = tasks().stream().filter(t -> t.get("id").asLong() == id).findFirst().orElseThrow();
        assertThat(listed.get("status").asString()).isEqualTo("CANCELLED");
        assertThat(listed.get("stopReason").asString()).isEqualTo("cancelled by user");
    }

    // ---- helpers --------------------------------------------------------------------------------

    private List<JsonNode> tasks() throws IOException, InterruptedException {
        HttpResponse<String> response = get("/api/tasks");
        assertThat(response.statusCode()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        JSON.readTree(response.body()).forEach(out::add);
        return out;
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body, String contentType)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
