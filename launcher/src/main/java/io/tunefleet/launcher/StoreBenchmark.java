package io.tunefleet.launcher;

import io.tunefleet.launcher.fleetbench.ServiceProcess;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@code tunefleet bench store}: a coordinator process whose database holds a task with many
 * experiments (100,000 by default); measures the experiments API's page latency and the
 * coordinator's peak memory while serving it.
 */
final class StoreBenchmark {

    static final int PAGE = 100;
    static final int REQUESTS = 500;

    private StoreBenchmark() {
    }

    static int run(Args args, PrintStream out) throws Exception {
        int n = args.intValue("experiments", 100_000);
        Path dir = Files.createTempDirectory("tunefleet-store-bench");
        Path db = dir.resolve("tunefleet.db");
        Path portFile = dir.resolve("coordinator.port");
        HttpClient http = HttpClient.newHttpClient();
        try (EmbeddedBroker broker = EmbeddedBroker.start(0);
             ServiceProcess coordinator = ServiceProcess.start(dir.resolve("coordinator.log"), List.of("-Xmx256m"),
                     List.of("coordinator", "--port", "0", "--port-file", portFile.toString(), "--db", db.toString(),
                             "--rabbitmq", broker.amqpUri().toString()))) {
            String base = "http://127.0.0.1:" + coordinator.awaitPortFile(portFile, Duration.ofSeconds(120));
            waitForApi(http, base, coordinator);
            long insertStart = System.nanoTime();
            long taskId = fill(db, n);
            out.printf("Stored %,d experiments in %.1f s%n", n, (System.nanoTime() - insertStart) / 1e9);
            Random random = new Random(1);
            for (int i = 0; i < 20; i++) {
                get(http, base + "/api/tasks/" + taskId + "/experiments?limit=" + PAGE + "&offset=" + random.nextInt(n));
            }
            List<Double> page = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                page.add(get(http, base + "/api/tasks/" + taskId + "/experiments?limit=" + PAGE + "&offset="
                        + random.nextInt(Math.max(1, n - PAGE))));
            }
            List<Double> task = new ArrayList<>();
            List<Double> best = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                task.add(get(http, base + "/api/tasks/" + taskId));
                best.add(get(http, base + "/api/tasks/" + taskId + "/best"));
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("experiments_stored", n);
            result.put("page_size", PAGE);
            result.put("page_ms", Map.of("p50", pct(page, 50), "p99", pct(page, 99), "max", pct(page, 100)));
            result.put("task_ms", Map.of("p50", pct(task, 50), "p99", pct(task, 99)));
            result.put("best_ms", Map.of("p50", pct(best, 50), "p99", pct(best, 99)));
            result.put("coordinator_peak_rss_mb", Math.round(coordinator.peakRssMb()));
            out.printf("experiments API, page of %d at random offsets (%d requests): p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    PAGE, REQUESTS, pct(page, 50), pct(page, 99), pct(page, 100));
            out.printf("GET /api/tasks/{id}: p99 %.1f ms; GET /best: p99 %.1f ms%n", pct(task, 99), pct(best, 99));
            out.printf("coordinator peak RSS: %.0f MB (heap limit 256 MB)%n", coordinator.peakRssMb());
            BenchmarkJson.writeIfAsked(args, result, out);
            return 0;
        }
    }

    /** Writes a finished task and {@code n} succeeded experiments straight into the database. */
    private static long fill(Path db, int n) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            c.setAutoCommit(false);
            long now = System.currentTimeMillis();
            try (PreparedStatement task = c.prepareStatement("""
                    INSERT INTO tasks (name, status, spec_json, strategy, objective, max_iterations, max_parallel,
                                       stop_reason, created_at, started_at, finished_at)
                    VALUES ('store-bench', 'COMPLETED', '{}', 'random', 'minimize_latency', ?, 32,
                            'max_iterations reached', ?, ?, ?)""")) {
                task.setInt(1, n);
                task.setLong(2, now);
                task.setLong(3, now);
                task.setLong(4, now);
                task.executeUpdate();
            }
            long taskId;
            try (var rs = c.createStatement().executeQuery("SELECT last_insert_rowid()")) {
                rs.next();
                taskId = rs.getLong(1);
            }
            Random random = new Random(2);
            try (PreparedStatement e = c.prepareStatement("""
                    INSERT INTO experiments (task_id, seq, config_key, parameters_json, gpus, state, attempt, worker_id,
                        gpu_indices, metrics_json, objective_value, created_at, queued_at, started_at, finished_at,
                        committed_at)
                    VALUES (?, ?, ?, ?, 1, 'SUCCEEDED', 1, 'bench-w1', '[0]', ?, ?, ?, ?, ?, ?, ?)""")) {
                for (int i = 1; i <= n; i++) {
                    double latency = 0.3 + random.nextDouble();
                    e.setLong(1, taskId);
                    e.setInt(2, i);
                    e.setString(3, "bench-seq=" + i + ",tp-size=1");
                    e.setString(4, "{\"bench-seq\":" + i + ",\"tp-size\":1,\"mem-fraction-static\":0.85}");
                    e.setString(5, String.format("{\"ttft_mean_ms\":%.3f,\"tpot_mean_ms\":%.3f,\"e2e_latency_mean_s\":%.4f,"
                                    + "\"output_tokens_per_s\":%.1f,\"output_tokens_per_s_per_gpu\":%.1f,\"success_rate\":1.0}",
                            20 + random.nextDouble() * 30, 5 + random.nextDouble() * 5, latency,
                            1000 + random.nextDouble() * 3000, 1000 + random.nextDouble() * 3000));
                    e.setDouble(6, latency);
                    for (int k = 7; k <= 11; k++) {
                        e.setLong(k, now + i);
                    }
                    e.addBatch();
                    if (i % 5_000 == 0) {
                        e.executeBatch();
                    }
                }
                e.executeBatch();
            }
            c.commit();
            return taskId;
        }
    }

    private static void waitForApi(HttpClient http, String base, ServiceProcess coordinator) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!coordinator.isAlive()) {
                throw new IllegalStateException("the coordinator exited; see " + coordinator.log());
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(base + "/api/tasks")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // still starting
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the coordinator did not answer within 120 s");
    }

    private static double get(HttpClient http, String url) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
        }
        return (System.nanoTime() - start) / 1e6;
    }

    private static double pct(List<Double> values, double p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int i = (int) Math.ceil(p / 100 * sorted.size()) - 1;
        return Math.round(sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) * 10) / 10.0;
    }
}
