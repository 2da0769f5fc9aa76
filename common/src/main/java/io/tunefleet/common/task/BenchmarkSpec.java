package io.tunefleet.common.task;

import java.util.List;

/**
 * How each experiment is measured: genai-bench traffic scenarios, a concurrency sweep and the
 * per-iteration bounds.
 */
public record BenchmarkSpec(
        List<String> trafficScenarios,
        List<Integer> numConcurrency,
        int maxTimePerIterationSeconds,
        int maxRequestsPerIteration) {

    public static final List<String> DEFAULT_SCENARIOS = List.of("D(100,100)");
    public static final List<Integer> DEFAULT_CONCURRENCY = List.of(1);
    public static final int DEFAULT_MAX_TIME_S = 10;
    public static final int DEFAULT_MAX_REQUESTS = 50;

    public BenchmarkSpec {
        trafficScenarios = List.copyOf(trafficScenarios);
        numConcurrency = List.copyOf(numConcurrency);
    }

    public static BenchmarkSpec defaults() {
        return new BenchmarkSpec(DEFAULT_SCENARIOS, DEFAULT_CONCURRENCY, DEFAULT_MAX_TIME_S, DEFAULT_MAX_REQUESTS);
    }
}
