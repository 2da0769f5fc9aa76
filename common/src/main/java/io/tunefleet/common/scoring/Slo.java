package io.tunefleet.common.scoring;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A task's service-level objectives, read from its {@code slo} object as the original project wrote
 * it: {@code ttft}, {@code tpot} and {@code latency.p50|p90|p99}, each {@code {threshold, weight,
 * hard_fail, fail_ratio}}, plus a shared {@code steepness}. Thresholds are in seconds, as in the
 * original (genai-bench reports seconds): TTFT and TPOT are compared by their mean, latency by its
 * end-to-end percentile.
 */
public record Slo(List<Bound> bounds, double steepness) {

    public static final double DEFAULT_STEEPNESS = 0.1;
    public static final double DEFAULT_WEIGHT = 1.0;
    public static final double DEFAULT_FAIL_RATIO = 0.5;

    public Slo {
        bounds = List.copyOf(bounds);
        if (!(steepness > 0) || Double.isInfinite(steepness)) {
            throw new IllegalArgumentException("slo.steepness must be a positive number, got " + steepness);
        }
    }

    public static Slo none() {
        return new Slo(List.of(), DEFAULT_STEEPNESS);
    }

    /** The keys of a bound, as the original project's task files write them. */
    private static final List<String> BOUND_KEYS = List.of("threshold", "weight", "hard_fail", "fail_ratio");
    private static final List<String> PERCENTILES = List.of("p50", "p90", "p99");

    /**
     * Every problem of a task's {@code slo} object, each as its JSON path below {@code $} and what is
     * wrong there; empty when {@link #parse} reads it as written. Stricter than {@link #parse}, which
     * a worker uses: a key that means nothing (a {@code p95}, a misspelt {@code hardfail}) or a
     * {@code hard_fail} that is not a boolean would otherwise leave a user believing a bound holds.
     */
    public static List<Map.Entry<String, String>> problems(Map<String, ?> slo) {
        List<Map.Entry<String, String>> problems = new ArrayList<>();
        for (Map.Entry<String, ?> e : slo.entrySet()) {
            String path = "slo." + e.getKey();
            if (e.getValue() == null) {
                continue; // absent, as parse reads it
            }
            switch (e.getKey()) {
                case "ttft", "tpot" -> boundProblems(e.getValue(), path, problems);
                case "latency" -> latencyProblems(e.getValue(), path, problems);
                case "steepness" -> {
                    if (!positive(e.getValue())) {
                        problems.add(Map.entry(path, "must be a positive number, got " + e.getValue()));
                    }
                }
                default -> problems.add(Map.entry(path, "is not part of an SLO; it has ttft, tpot, latency "
                        + PERCENTILES + " and steepness"));
            }
        }
        return problems;
    }

    private static void latencyProblems(Object spec, String path, List<Map.Entry<String, String>> problems) {
        if (!(spec instanceof Map<?, ?> latency)) {
            problems.add(Map.entry(path, "must be an object of " + PERCENTILES + " bounds, got " + spec));
            return;
        }
        for (Map.Entry<?, ?> p : latency.entrySet()) {
            if (p.getValue() == null) {
                continue; // absent, as parse reads it
            }
            if (PERCENTILES.contains(String.valueOf(p.getKey()))) {
                boundProblems(p.getValue(), path + "." + p.getKey(), problems);
            } else {
                problems.add(Map.entry(path + "." + p.getKey(), "is not a latency bound; there are " + PERCENTILES));
            }
        }
    }

    private static void boundProblems(Object spec, String path, List<Map.Entry<String, String>> problems) {
        if (!(spec instanceof Map<?, ?> m)) {
            problems.add(Map.entry(path, "must be an object of " + BOUND_KEYS + ", got " + spec));
            return;
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String at = path + "." + e.getKey();
            Object v = e.getValue();
            switch (String.valueOf(e.getKey())) {
                case "threshold" -> {
                    if (!positive(v)) {
                        problems.add(Map.entry(at, "must be a positive number of seconds, got " + v));
                    }
                }
                case "weight", "fail_ratio" -> {
                    if (v != null && !(v instanceof Number n && n.doubleValue() >= 0 && Double.isFinite(n.doubleValue()))) {
                        problems.add(Map.entry(at, "must be a number not below 0, got " + v));
                    }
                }
                case "hard_fail" -> {
                    if (v != null && !(v instanceof Boolean)) {
                        problems.add(Map.entry(at, "must be true or false, got " + v));
                    }
                }
                default -> problems.add(Map.entry(at, "is not part of a bound; it has " + BOUND_KEYS));
            }
        }
        if (!m.containsKey("threshold")) {
            problems.add(Map.entry(path + ".threshold", "is required: a bound without a threshold bounds nothing"));
        }
    }

    private static boolean positive(Object v) {
        return v instanceof Number n && n.doubleValue() > 0 && Double.isFinite(n.doubleValue());
    }

    /** Reads the task's {@code slo} map; unknown keys are ignored, a bad value throws. */
    public static Slo parse(Map<String, ?> slo) {
        if (slo == null || slo.isEmpty()) {
            return none();
        }
        List<Bound> bounds = new ArrayList<>();
        bound(slo.get("ttft"), "ttft", Metrics.TTFT_MEAN_MS, 1e-3).ifPresent(bounds::add);
        bound(slo.get("tpot"), "tpot", Metrics.TPOT_MEAN_MS, 1e-3).ifPresent(bounds::add);
        if (slo.get("latency") instanceof Map<?, ?> latency) {
            bound(latency.get("p50"), "latency.p50", Metrics.E2E_P50_S, 1).ifPresent(bounds::add);
            bound(latency.get("p90"), "latency.p90", Metrics.E2E_P90_S, 1).ifPresent(bounds::add);
            bound(latency.get("p99"), "latency.p99", Metrics.E2E_P99_S, 1).ifPresent(bounds::add);
        }
        double steepness = number(slo.get("steepness"), DEFAULT_STEEPNESS, "slo.steepness");
        return new Slo(bounds, steepness);
    }

    private static java.util.Optional<Bound> bound(Object spec, String name, String metric, double toSeconds) {
        if (!(spec instanceof Map<?, ?> m) || m.get("threshold") == null) {
            return java.util.Optional.empty();
        }
        String path = "slo." + name;
        double threshold = number(m.get("threshold"), Double.NaN, path + ".threshold");
        if (!(threshold > 0)) {
            throw new IllegalArgumentException(path + ".threshold must be positive, got " + m.get("threshold"));
        }
        return java.util.Optional.of(new Bound(name, metric, toSeconds, threshold,
                notNegative(number(m.get("weight"), DEFAULT_WEIGHT, path + ".weight"), path + ".weight"),
                Boolean.TRUE.equals(m.get("hard_fail")),
                notNegative(number(m.get("fail_ratio"), DEFAULT_FAIL_RATIO, path + ".fail_ratio"), path + ".fail_ratio")));
    }

    /** A finite number, or {@code fallback} when absent. */
    private static double number(Object v, double fallback, String path) {
        if (v == null) {
            return fallback;
        }
        if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException(path + " must be a finite number, got " + v);
    }

    /**
     * A weight or fail ratio below 0 makes no sense: a negative weight rewards breaking the bound, a
     * negative fail ratio drops every level, even those within the threshold.
     */
    private static double notNegative(double v, String path) {
        if (v < 0) {
            throw new IllegalArgumentException(path + " must not be negative, got " + v);
        }
        return v;
    }

    /**
     * One bound.
     *
     * @param name      as in the task, e.g. {@code latency.p90}
     * @param metric    the level metric it reads
     * @param toSeconds factor from the metric's unit to seconds
     * @param threshold seconds
     * @param hardFail  whether exceeding the threshold by more than {@code failRatio} drops the level
     */
    public record Bound(String name, String metric, double toSeconds, double threshold, double weight,
                        boolean hardFail, double failRatio) {

        /** How far over the threshold, as a fraction of it; 0 when within. NaN when not measured. */
        double violation(LevelMetrics level) {
            double seconds = level.get(metric) * toSeconds;
            return seconds > threshold ? (seconds - threshold) / threshold : Double.isNaN(seconds) ? Double.NaN : 0;
        }

        boolean breaksHard(LevelMetrics level) {
            double v = violation(level);
            return hardFail && v > failRatio;
        }
    }
}
