package io.tunefleet.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The commands that talk to a running coordinator: {@code tasks}, {@code show}, {@code best},
 * {@code pareto}, {@code cancel}, {@code export}, {@code workers}, {@code logs}, {@code watch}.
 * Each prints for a person and returns an exit code; API errors surface as {@link ApiClient.ApiException}.
 */
final class Commands {

    private static final JsonMapper PRETTY = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private final ApiClient api;
    private final PrintStream out;

    Commands(ApiClient api, PrintStream out) {
        this.api = api;
        this.out = out;
    }

    int tasks() {
        List<Map<String, Object>> tasks = api.tasks();
        if (tasks.isEmpty()) {
            out.println("No tasks yet. Submit one with: tunefleet submit TASK.json --watch");
            return 0;
        }
        out.printf("%5s  %-24s %-10s %-12s %-20s %9s %8s %7s%n", "ID", "NAME", "STATUS", "STRATEGY", "OBJECTIVE",
                "DONE/MAX", "RUNNING", "FAILED");
        for (Map<String, Object> t : tasks) {
            Map<?, ?> counts = (Map<?, ?>) t.get("experiments");
            int failed = Report.count(counts, "FAILED") + Report.count(counts, "TIMED_OUT");
            int done = Report.count(counts, "SUCCEEDED") + failed + Report.count(counts, "CANCELLED");
            out.printf("%5s  %-24s %-10s %-12s %-20s %9s %8d %7d%n", t.get("id"), clip(t.get("name"), 24),
                    t.get("status"), t.get("strategy"), t.get("objective"), done + "/" + t.get("maxIterations"),
                    Report.count(counts, "RUNNING"), failed);
        }
        return 0;
    }

    int show(long id) {
        Map<String, Object> task = api.task(id);
        out.printf("Task %d '%s': %s, %s, objective %s, up to %s experiments, %s at a time%n", id, task.get("name"),
                task.get("status"), task.get("strategy"), task.get("objective"), task.get("maxIterations"),
                task.get("maxParallelExperiments"));
        if (task.get("stopReason") != null) {
            out.println("Stopped: " + task.get("stopReason"));
        }
        out.println(Report.progress(task, 0, bestValue(id)).substring(7));
        Report.experiments(out, api.experiments(id), String.valueOf(task.get("objective")));
        return 0;
    }

    int best(long id) {
        Map<String, Object> best = api.best(id);
        Report.best(out, best);
        if (best.get("why") != null) {
            out.println("Why: " + best.get("why"));
        }
        return 0;
    }

    int pareto(long id, String latency) {
        Map<String, Object> pareto = api.pareto(id, latency);
        List<?> front = (List<?>) pareto.get("front");
        if (front == null || front.isEmpty()) {
            out.printf("Task %d has no succeeded experiment on the Pareto front yet.%n", id);
            return 0;
        }
        out.printf("Pareto front of task %d: output tokens/s per GPU (higher is better) against %s (lower is better)%n",
                id, pareto.get("latency"));
        out.printf("%4s  %14s %14s  %s%n", "#", "TOK/S/GPU", String.valueOf(pareto.get("latency")).toUpperCase(),
                "PARAMETERS");
        for (Object o : front) {
            Map<?, ?> point = (Map<?, ?>) o;
            Map<?, ?> e = (Map<?, ?>) point.get("experiment");
            out.printf("%4s  %14.2f %14.4f  %s%n", e.get("seq"), ((Number) point.get("throughput_per_gpu")).doubleValue(),
                    ((Number) point.get("latency")).doubleValue(), Report.params((Map<?, ?>) e.get("parameters")));
        }
        return 0;
    }

    int cancel(long id) {
        try {
            Map<String, Object> task = api.cancel(id);
            out.printf("Cancelled task %d '%s'; its unfinished experiments are CANCELLED and workers stop them.%n", id,
                    task.get("name"));
            return 0;
        } catch (ApiClient.ApiException e) {
            if (e.status == 409 && e.body != null) {
                out.printf("Task %d had already ended (%s); nothing to cancel.%n", id, e.body.get("status"));
                return 1;
            }
            throw e;
        }
    }

    int export(long id, String format, Path output) throws IOException {
        List<Map<String, Object>> experiments = api.experiments(id);
        String text = switch (format) {
            case "json" -> PRETTY.writeValueAsString(experiments) + System.lineSeparator();
            case "csv" -> csv(experiments);
            default -> throw new Args.UsageException("--format must be csv or json, got '" + format + "'");
        };
        if (output == null) {
            out.print(text);
        } else {
            Files.writeString(output, text);
            out.printf("Wrote %d experiment(s) of task %d to %s%n", experiments.size(), id, output);
        }
        return 0;
    }

    int workers() {
        List<Map<String, Object>> workers = api.workers();
        if (workers.isEmpty()) {
            out.println("No worker has sent a heartbeat yet. Start one with: tunefleet worker --gpus sim:4");
            return 0;
        }
        out.printf("%-20s %-16s %5s %5s %14s %12s %8s  %-24s %s%n", "WORKER", "HOST", "GPUS", "FREE", "RESERVED/BUSY",
                "QUARANTINED", "RUNNING", "LAST SEEN", "LIVE");
        int total = 0;
        int free = 0;
        int live = 0;
        for (Map<String, Object> w : workers) {
            int gpus = number(w.get("gpusTotal"));
            int gpusFree = number(w.get("gpusFree"));
            int quarantined = number(w.get("gpusQuarantined"));
            boolean isLive = Boolean.TRUE.equals(w.get("live"));
            out.printf("%-20s %-16s %5d %5d %14d %12d %8s  %-24s %s%n", clip(w.get("workerId"), 20),
                    clip(w.get("host"), 16), gpus, gpusFree, gpus - gpusFree - quarantined, quarantined,
                    w.get("running"), w.get("lastSeenAt"), isLive ? "yes" : "NO (silent)");
            if (isLive) {
                total += gpus;
                free += gpusFree;
                live++;
            }
        }
        out.printf("%d live worker(s), %d GPU(s), %d free%n", live, total, free);
        return 0;
    }

    /** {@code experiment} is the number shown by {@code show} (its seq in the task), else its id. */
    int logs(long taskId, long experiment) {
        List<Map<String, Object>> experiments = api.experiments(taskId);
        Map<String, Object> e = experiments.stream().filter(x -> number(x.get("seq")) == experiment).findFirst()
                .or(() -> experiments.stream().filter(x -> number(x.get("id")) == experiment).findFirst())
                .orElseThrow(() -> new Args.UsageException("task " + taskId + " has no experiment #" + experiment
                        + " (tunefleet show " + taskId + " lists them)"));
        long id = ((Number) e.get("id")).longValue();
        out.printf("Task %d experiment #%s (id %d): %s, attempt %s, %s GPU(s)%n", taskId, e.get("seq"), id,
                e.get("state"), e.get("attempt"), e.get("gpus"));
        out.println("Parameters: " + Report.params((Map<?, ?>) e.get("parameters")));
        if (e.get("workerId") != null) {
            out.printf("Worker: %s, GPUs %s%n", e.get("workerId"), e.get("gpuIndices"));
        }
        out.printf("Queued or created %s, started %s, finished %s%n", e.get("createdAt"),
                e.get("startedAt") == null ? "-" : e.get("startedAt"),
                e.get("finishedAt") == null ? "-" : e.get("finishedAt"));
        if (e.get("failureClass") != null) {
            out.printf("Failure: %s (retryable: %s)%n", e.get("failureClass"), e.get("retryable"));
        }
        if (e.get("error") != null) {
            out.println("Error: " + e.get("error"));
        }
        if (e.get("metrics") instanceof Map<?, ?> metrics && !metrics.isEmpty()) {
            out.println("Metrics: " + metrics.entrySet().stream().map(m -> m.getKey() + "=" + m.getValue())
                    .collect(Collectors.joining(" ")));
        }
        List<String> attempts = api.attempts(taskId, id);
        if (attempts != null) {
            out.println("Attempts:");
            if (attempts.isEmpty()) {
                out.println("  (none claimed yet)");
            }
            attempts.forEach(a -> out.println("  " + a));
        }
        out.println("Engine logs are not collected yet: they arrive with the docker runtime, which keeps them per "
                + "experiment. The simulated engine writes none.");
        return 0;
    }

    static String csv(List<Map<String, Object>> experiments) {
        TreeSet<String> params = new TreeSet<>();
        TreeSet<String> metrics = new TreeSet<>();
        for (Map<String, Object> e : experiments) {
            if (e.get("parameters") instanceof Map<?, ?> p) {
                p.keySet().forEach(k -> params.add(String.valueOf(k)));
            }
            if (e.get("metrics") instanceof Map<?, ?> m) {
                m.keySet().forEach(k -> metrics.add(String.valueOf(k)));
            }
        }
        List<String> header = new ArrayList<>(List.of("id", "seq", "state", "attempt", "gpus", "worker_id",
                "gpu_indices", "objective_value", "failure_class", "error", "started_at", "finished_at"));
        params.forEach(p -> header.add("param." + p));
        metrics.forEach(m -> header.add("metric." + m));
        StringBuilder sb = new StringBuilder(String.join(",", header)).append('\n');
        for (Map<String, Object> e : experiments) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", e.get("id"));
            row.put("seq", e.get("seq"));
            row.put("state", e.get("state"));
            row.put("attempt", e.get("attempt"));
            row.put("gpus", e.get("gpus"));
            row.put("worker_id", e.get("workerId"));
            row.put("gpu_indices", e.get("gpuIndices") == null ? null
                    : ((List<?>) e.get("gpuIndices")).stream().map(String::valueOf).collect(Collectors.joining(" ")));
            row.put("objective_value", e.get("objectiveValue"));
            row.put("failure_class", e.get("failureClass"));
            row.put("error", e.get("error"));
            row.put("started_at", e.get("startedAt"));
            row.put("finished_at", e.get("finishedAt"));
            Map<?, ?> p = e.get("parameters") instanceof Map<?, ?> m ? m : Map.of();
            Map<?, ?> mt = e.get("metrics") instanceof Map<?, ?> m ? m : Map.of();
            params.forEach(k -> row.put("param." + k, p.get(k)));
            metrics.forEach(k -> row.put("metric." + k, mt.get(k)));
            sb.append(header.stream().map(h -> cell(row.get(h))).collect(Collectors.joining(","))).append('\n');
        }
        return sb.toString();
    }

    private static String cell(Object value) {
        if (value == null) {
            return "";
        }
        String s = String.valueOf(value);
        boolean quote = s.startsWith(" ") || s.chars().anyMatch(c -> c == ',' || c == '"' || c == '\n' || c == '\r');
        return quote ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }

    private Number bestValue(long id) {
        Map<String, Object> best = api.bestOrNull(id);
        return best == null ? null : (Number) best.get("objective_value");
    }

    private static int number(Object value) {
        return value instanceof Number n ? n.intValue() : 0;
    }

    private static String clip(Object value, int width) {
        String s = String.valueOf(value);
        return s.length() <= width ? s : s.substring(0, width - 1) + "~";
    }
}
