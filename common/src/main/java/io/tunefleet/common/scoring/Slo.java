package io.tunefleet.common.scoring;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

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
     * Every problem of a task's {@code slo} object, each as its path ({@code slo.ttft.threshold}) and
     * what is wrong there. Bad values are problems either way. {@code strict} (a task being submitted)
     * also refuses what {@link #parse} passes over: a key that means nothing (a {@code p95}, a misspelt
     * {@code hardfail}), a bound without a threshold, a {@code hard_fail} that is not a boolean; any of
     * those would leave a user believing a bound holds. A null anywhere reads as absent.
     */
    public static List<Map.Entry<String, String>> problems(Map<String, ?> slo, boolean strict) {
        List<Map.Entry<String, String>> problems = new ArrayList<>();
        check(slo, strict, (path, what) -> problems.add(Map.entry(path, what)));
        return problems;
    }

    /** Reads the task's {@code slo} map; keys that mean nothing are passed over, a bad value throws. */
    public static Slo parse(Map<String, ?> slo) {
        if (slo == null || slo.isEmpty()) {
            return none();
        }
        check(slo, false, (path, what) -> {
            throw new IllegalArgumentException(path + " " + what);
        });
        List<Bound> bounds = new ArrayList<>();
        bound(slo.get("ttft"), "ttft", Metrics.TTFT_MEAN_MS, 1e-3).ifPresent(bounds::add);
        bound(slo.get("tpot"), "tpot", Metrics.TPOT_MEAN_MS, 1e-3).ifPresent(bounds::add);
        if (slo.get("latency") instanceof Map<?, ?> latency) {
            bound(latency.get("p50"), "latency.p50", Metrics.E2E_P50_S, 1).ifPresent(bounds::add);
            bound(latency.get("p90"), "latency.p90", Metrics.E2E_P90_S, 1).ifPresent(bounds::add);
            bound(latency.get("p99"), "latency.p99", Metrics.E2E_P99_S, 1).ifPresent(bounds::add);
        }
        return new Slo(bounds, number(slo.get("steepness"), DEFAULT_STEEPNESS));
    }

    /** A bound as {@link #check} let it through: absent without a threshold. */
    private static Optional<Bound> bound(Object spec, String name, String metric, double toSeconds) {
        if (!(spec instanceof Map<?, ?> m) || m.get("threshold") == null) {
            return Optional.empty();
        }
        return Optional.of(new Bound(name, metric, toSeconds, number(m.get("threshold"), Double.NaN),
                number(m.get("weight"), DEFAULT_WEIGHT), Boolean.TRUE.equals(m.get("hard_fail")),
                number(m.get("fail_ratio"), DEFAULT_FAIL_RATIO)));
    }

    private static double number(Object checked, double fallback) {
        return checked == null ? fallback : ((Number) checked).doubleValue();
    }

    /** The one walk over an {@code slo} map that {@link #problems} and {@link #parse} share. */
    private static void check(Map<String, ?> slo, boolean strict, BiConsumer<String, String> problem) {
        for (Map.Entry<String, ?> e : slo.entrySet()) {
            String path = "slo." + e.getKey();
            Object v = e.getValue();
            if (v == null) {
                continue;
            }
            switch (e.getKey()) {
                case "ttft", "tpot" -> checkBound(v, path, strict, problem);
                case "latency" -> checkLatency(v, path, strict, problem);
                case "steepness" -> {
                    if (!positive(v)) {
                        problem.accept(path, "must be a positive number, got " + v);
                    }
                }
                default -> {
                    if (strict) {
                        problem.accept(path, "is not part of an SLO; it has ttft, tpot, latency " + PERCENTILES
                                + " and steepness");
                    }
                }
            }
        }
    }

    private static void checkLatency(Object spec, String path, boolean strict, BiConsumer<String, String> problem) {
        if (!(spec instanceof Map<?, ?> latency)) {
            if (strict) {
                problem.accept(path, "must be an object of " + PERCENTILES + " bounds, got " + spec);
            }
            return;
        }
        for (Map.Entry<?, ?> p : latency.entrySet()) {
            if (p.getValue() == null) {
                continue;
            }
            if (PERCENTILES.contains(String.valueOf(p.getKey()))) {
                checkBound(p.getValue(), path + "." + p.getKey(), strict, problem);
            } else if (strict) {
                problem.accept(path + "." + p.getKey(), "is not a latency bound; there are " + PERCENTILES);
            }
        }
    }

    /**
     * A weight or fail ratio below 0 makes no sense: a negative weight rewards breaking the bound, a
     * negative fail ratio drops every level, even those within the threshold.
     */
    private static void checkBound(Object spec, String path, boolean strict, BiConsumer<String, String> problem) {
        if (!(spec instanceof Map<?, ?> m)) {
            if (strict) {
                problem.accept(path, "must be an object of " + BOUND_KEYS + ", got " + spec);
            }
            return;
        }
        if (m.get("threshold") == null && !strict) {
            return; // no bound, as parse reads it
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String at = path + "." + e.getKey();
            Object v = e.getValue();
            switch (String.valueOf(e.getKey())) {
                case "threshold" -> {
                    if (v != null && !positive(v)) {
                        problem.accept(at, "must be a positive number of seconds, got " + v);
                    }
                }
                case "weight", "fail_ratio" -> {
                    if (v != null && !(v instanceof Number n && Double.isFinite(n.doubleValue()))) {
                        problem.accept(at, "must be a finite number, got " + v);
                    } else if (v != null && ((Number) v).doubleValue() < 0) {
                        problem.accept(at, "must not be negative, got " + ((Number) v).doubleValue());
                    }
                }
                case "hard_fail" -> {
                    if (strict && v != null && !(v instanceof Boolean)) {
                        problem.accept(at, "must be true or false, got " + v);
                    }
                }
                default -> {
                    if (strict) {
                        problem.accept(at, "is not part of a bound; it has " + BOUND_KEYS);
                    }
                }
            }
        }
        if (m.get("threshold") == null) {
            problem.accept(path + ".threshold", "is required: a bound without a threshold bounds nothing");
        }
    }

    private static boolean positive(Object v) {
        return v instanceof Number n && n.doubleValue() > 0 && Double.isFinite(n.doubleValue());
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
