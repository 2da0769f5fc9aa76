package io.tunefleet.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One standalone stack (embedded broker, coordinator, one simulated worker with 4 GPUs) shared by
 * the CLI and metrics tests of this JVM, so it starts once. It is closed when the JVM exits.
 */
final class LiveStack {

    static final Path TINY_TASK = Path.of("src", "test", "resources", "tasks", "tiny.yaml");
    private static Stack stack;

    private LiveStack() {
    }

    static synchronized Stack get() {
        if (stack == null) {
            try {
                Path dir = Files.createTempDirectory("tunefleet-live");
                stack = Stack.start(new Stack.Options(0, dir.resolve("tunefleet.db"), null, 1, 4,
                        Duration.ofMillis(100), Map.of("tunefleet.metrics.refresh", "200ms")));
            } catch (Exception e) {
                throw new IllegalStateException("the standalone stack did not start", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(stack::close));
        }
        return stack;
    }

    static String url() {
        return get().baseUrl();
    }

    /** Runs a command of the CLI against the live stack; what it printed, its exit code. */
    static Result cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> argv = new java.util.ArrayList<>(List.of(args));
        argv.add("--coordinator");
        argv.add(url());
        int code = Main.runHandled(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static String scrape() {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(url() + "/actuator/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("/actuator/prometheus answered " + response.statusCode());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }
}
