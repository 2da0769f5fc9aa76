package io.tunefleet.launcher;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** The coordinator's REST API, for the command line. API errors come back as {@link ApiException}. */
final class ApiClient {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;

    ApiClient(String baseUrl) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    Map<String, Object> submit(String taskJson) {
        return object(send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/tasks"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(taskJson)).build()));
    }

    Map<String, Object> cancel(long id) {
        return object(send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/tasks/" + id + "/cancel"))
                .POST(HttpRequest.BodyPublishers.noBody()).build()));
    }

    Map<String, Object> task(long id) {
        return object(get("/api/tasks/" + id));
    }

    List<Map<String, Object>> experiments(long id) {
        return JSON.readValue(get("/api/tasks/" + id + "/experiments"), new TypeReference<>() { });
    }

    Map<String, Object> best(long id) {
        return object(get("/api/tasks/" + id + "/best"));
    }

    /** The best experiment so far, or null while none has succeeded (the API answers 404). */
    Map<String, Object> bestOrNull(long id) {
        try {
            return best(id);
        } catch (ApiException e) {
            if (e.status == 404) {
                return null;
            }
            throw e;
        }
    }

    List<Map<String, Object>> tasks() {
        return JSON.readValue(get("/api/tasks"), new TypeReference<>() { });
    }

    Map<String, Object> pareto(long id, String latencyMetric) {
        return object(get("/api/tasks/" + id + "/pareto?latency="
                + java.net.URLEncoder.encode(latencyMetric, java.nio.charset.StandardCharsets.UTF_8)));
    }

    List<Map<String, Object>> workers() {
        return JSON.readValue(get("/api/workers"), new TypeReference<>() { });
    }

    /** The experiment's attempts, oldest first, as lines; null where the coordinator has no such API. */
    List<String> attempts(long taskId, long experimentId) {
        try {
            Object attempts = object(get("/api/tasks/" + taskId + "/experiments/" + experimentId + "/attempts"))
                    .get("attempts");
            return attempts instanceof List<?> list ? list.stream().map(String::valueOf).toList() : List.of();
        } catch (ApiException e) {
            if (e.status == 404) {
                return null;
            }
            throw e;
        }
    }

    private String get(String path) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET().build());
    }

    private String send(HttpRequest request) {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new ApiException("cannot reach the coordinator at " + baseUrl
                    + " (is it running? pass --coordinator URL)", null, 0);
        } catch (IOException e) {
            throw new ApiException("request to " + request.uri() + " failed: " + e.getMessage(), null, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException("interrupted", null, 0);
        }
        if (response.statusCode() >= 400) {
            Map<String, Object> body;
            try {
                body = object(response.body());
            } catch (RuntimeException notJson) {
                body = Map.of("error", response.body());
            }
            int code = response.statusCode();
            Object error = body.get("error");
            String message = code < 500 && error != null ? error.toString()
                    : "the coordinator answered HTTP " + code + (error == null ? "" : ": " + error);
            throw new ApiException(message, body, code);
        }
        return response.body();
    }

    private static Map<String, Object> object(String json) {
        return JSON.readValue(json, new TypeReference<>() { });
    }

    /** The API said no; {@code body} holds its JSON answer, e.g. the list of problems. */
    static final class ApiException extends RuntimeException {
        final Map<String, Object> body;
        /** The HTTP status; 0 when the coordinator was not reached. */
        final int status;

        ApiException(String message, Map<String, Object> body, int status) {
            super(message);
            this.body = body;
            this.status = status;
        }
    }
}
