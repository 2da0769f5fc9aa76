package io.tunefleet.worker.bench;

import io.tunefleet.common.task.BenchmarkSpec;
import java.time.Duration;
import java.util.List;

/**
 * What to measure: every traffic scenario at every concurrency level, each level bounded by a
 * request count and a time, after a warm-up that is not counted.
 *
 * @param warmupRequests requests each user (of {@code concurrency}) sends before its level's clock starts;
 *                       they open connections, start server threads and warm code, and are not counted
 * @param seed           seeds the request lengths and prompts, so runs are comparable
 * @param gpus           GPUs the engine runs on, for the per-GPU figures
 */
public record BenchmarkPlan(List<TrafficScenario> scenarios, List<Integer> concurrency, int maxRequestsPerLevel,
                            Duration maxTimePerLevel, int warmupRequests, long seed, int gpus) {

    public static final int DEFAULT_WARMUP_REQUESTS = 1;
    public static final long DEFAULT_SEED = 42;

    public BenchmarkPlan {
        scenarios = List.copyOf(scenarios);
        concurrency = List.copyOf(concurrency);
        if (scenarios.isEmpty() || concurrency.isEmpty() || concurrency.stream().anyMatch(c -> c < 1)) {
            throw new IllegalArgumentException("a plan needs scenarios and positive concurrency levels");
        }
        if (maxRequestsPerLevel < 1 || maxTimePerLevel.isNegative() || maxTimePerLevel.isZero() || warmupRequests < 0) {
            throw new IllegalArgumentException("a level needs a positive request bound and time bound");
        }
    }

    public static BenchmarkPlan of(BenchmarkSpec spec, int gpus) {
        return new BenchmarkPlan(spec.trafficScenarios().stream().map(TrafficScenario::parse).toList(),
                spec.numConcurrency(), spec.maxRequestsPerIteration(),
                Duration.ofSeconds(spec.maxTimePerIterationSeconds()), DEFAULT_WARMUP_REQUESTS, DEFAULT_SEED, gpus);
    }

    public BenchmarkPlan withWarmup(int requests) {
        return new BenchmarkPlan(scenarios, concurrency, maxRequestsPerLevel, maxTimePerLevel, requests, seed, gpus);
    }
}
