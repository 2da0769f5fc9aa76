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

    private String get(String path) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET().build());
    }

    private String send(HttpRequest request) {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new ApiException("cannot reach the coordinator at " + baseUrl + " (is it running?)", null);
        } catch (IOException e) {
            throw new ApiException("request to " + request.uri() + " failed: " + e.getMessage(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException("interrupted", null);
        }
        if (response.statusCode() >= 400) {
            Map<String, Object> body;
            try {
                body = object(response.body());
            } catch (RuntimeException notJson) {
                body = Map.of("error", response.body());
            }
            throw new ApiException("HTTP " + response.statusCode() + ": " + body.getOrDefault("error", ""), body);
        }
        return response.body();
    }

    private static Map<String, Object> object(String json) {
        return JSON.readValue(json, new TypeReference<>() { });
    }

    /** The API said no; {@code body} holds its JSON answer, e.g. the list of problems. */
    static final class ApiException extends RuntimeException {
        final Map<String, Object> body;

        ApiException(String message, Map<String, Object> body) {
            super(message);
            this.body = body;
        }
    }
}
