package io.tunefleet.launcher;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Prints progress lines, the experiments table and the best configuration. */
final class Report {

    private Report() {
    }

    static String progress(Map<String, Object> task, long elapsedSeconds) {
        Map<?, ?> counts = (Map<?, ?>) task.get("experiments");
        int succeeded = count(counts, "SUCCEEDED");
        int failed = count(counts, "FAILED") + count(counts, "TIMED_OUT");
        int running = count(counts, "RUNNING");
        int queued = count(counts, "QUEUED") + count(counts, "PENDING");
        return String.format("[%4ds] %-9s %d/%s done  %d running  %d queued  %d failed", elapsedSeconds,
                task.get("status"), succeeded + failed + count(counts, "CANCELLED"), task.get("maxIterations"),
                running, queued, failed);
    }

    static void experiments(PrintStream out, List<Map<String, Object>> experiments, String objective) {
        out.printf("%n%4s  %-10s %4s  %-14s %-14s %12s  %s%n", "#", "STATE", "GPUS", "WORKER", "GPU IDS",
                objective, "PARAMETERS / ERROR");
        for (Map<String, Object> e : experiments) {
            Object value = e.get("objectiveValue");
            String detail = e.get("error") != null ? e.get("failureClass") + ": " + e.get("error")
                    : params((Map<?, ?>) e.get("parameters"));
            out.printf("%4s  %-10s %4s  %-14s %-14s %12s  %s%n", e.get("seq"), e.get("state"), e.get("gpus"),
                    e.get("workerId") == null ? "-" : e.get("workerId"),
                    e.get("gpuIndices") == null ? "-" : e.get("gpuIndices").toString().replace(" ", ""),
                    value == null ? "-" : String.format("%.4f", ((Number) value).doubleValue()), detail);
        }
    }

    static void best(PrintStream out, Map<String, Object> best) {
        Map<?, ?> experiment = (Map<?, ?>) best.get("experiment");
        out.printf("%nBest configuration (experiment #%s, %s = %s):%n", experiment.get("seq"), best.get("objective"),
                best.get("objective_value"));
        ((Map<?, ?>) experiment.get("parameters")).forEach((k, v) -> out.printf("  --%s %s%n", k, v));
    }

    static String params(Map<?, ?> parameters) {
        return parameters.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
    }

    private static int count(Map<?, ?> counts, String state) {
        Object v = counts == null ? null : counts.get(state);
        return v instanceof Number n ? n.intValue() : 0;
    }
}
