package io.tunefleet.launcher;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Prints progress lines, the experiments table and the best configuration. */
final class Report {

    private static final int BAR = 20;

    private Report() {
    }

    /**
     * One progress line: status, done/total with a bar, running, queued, failed, the best objective
     * value so far ({@code best} may be null) and, while running, an estimate of the time left.
     */
    static String progress(Map<String, Object> task, long elapsedSeconds, Number best) {
        Map<?, ?> counts = (Map<?, ?>) task.get("experiments");
        int succeeded = count(counts, "SUCCEEDED");
        int failed = count(counts, "FAILED") + count(counts, "TIMED_OUT");
        int running = count(counts, "RUNNING");
        int queued = count(counts, "QUEUED") + count(counts, "PENDING");
        int done = succeeded + failed + count(counts, "CANCELLED");
        int total = task.get("maxIterations") instanceof Number n ? n.intValue() : 0;
        String status = String.valueOf(task.get("status"));
        int filled = total == 0 ? 0 : Math.min(BAR, done * BAR / total);
        String line = String.format("[%4ds] %-9s %d/%d done [%s%s]  %d running  %d queued  %d failed  best %s",
                elapsedSeconds, status, done, total, "#".repeat(filled), ".".repeat(BAR - filled), running, queued,
                failed, best == null ? "-" : String.format("%.4g", best.doubleValue()));
        boolean active = status.equals("PENDING") || status.equals("RUNNING");
        if (active && done > 0 && total > done) {
            line += "  ETA " + duration(Math.round(elapsedSeconds / (double) done * (total - done)));
        }
        return line;
    }

    /** The progress line without a best value. */
    static String progress(Map<String, Object> task, long elapsedSeconds) {
        return progress(task, elapsedSeconds, null);
    }

    static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m" + String.format("%02d", seconds % 60) + "s";
        }
        return seconds / 3600 + "h" + String.format("%02d", seconds % 3600 / 60) + "m";
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

    static int count(Map<?, ?> counts, String state) {
        Object v = counts == null ? null : counts.get(state);
        return v instanceof Number n ? n.intValue() : 0;
    }
}
