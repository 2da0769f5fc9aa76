package io.tunefleet.worker.bench;

import io.tunefleet.common.scoring.LevelMetrics;
import io.tunefleet.common.scoring.Metrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one concurrency level measured. Latencies over successful requests; throughput over the
 * level's wall time, from its first request sent to its last answer.
 *
 * @param errors failed requests by kind
 */
public record LevelResult(String scenario, int concurrency, int requests, int succeeded, Map<String, Integer> errors,
                          double durationS, Stats ttftMs, Stats tpotMs, Stats itlMs, Stats e2eS,
                          long promptTokens, long outputTokens, int gpus) {

    static LevelResult of(String scenario, int concurrency, List<RequestOutcome> outcomes, double durationS,
                          int gpus) {
        List<RequestOutcome> ok = outcomes.stream().filter(RequestOutcome::ok).toList();
        Map<String, Integer> errors = new TreeMap<>();
        outcomes.stream().filter(o -> !o.ok()).forEach(o -> errors.merge(o.error(), 1, Integer::sum));
        return new LevelResult(scenario, concurrency, outcomes.size(), ok.size(), Map.copyOf(errors), durationS,
                Stats.of(ok.stream().mapToDouble(RequestOutcome::ttftMs).toArray()),
                Stats.of(ok.stream().mapToDouble(RequestOutcome::tpotMs).toArray()),
                Stats.of(ok.stream().mapToDouble(RequestOutcome::itlMs).toArray()),
                Stats.of(ok.stream().mapToDouble(o -> o.e2eMs() / 1000).toArray()),
                ok.stream().mapToLong(RequestOutcome::promptTokens).sum(),
                ok.stream().mapToLong(RequestOutcome::completionTokens).sum(), Math.max(1, gpus));
    }

    public double successRate() {
        return requests == 0 ? 0 : (double) succeeded / requests;
    }

    public double outputTokensPerS() {
        return durationS > 0 ? outputTokens / durationS : 0;
    }

    public double totalTokensPerS() {
        return durationS > 0 ? (promptTokens + outputTokens) / durationS : 0;
    }

    public double requestsPerS() {
        return durationS > 0 ? succeeded / durationS : 0;
    }

    /** The flat metrics of this level, named as in {@link Metrics} plus percentiles. */
    public Map<String, Double> toMetrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        put(m, "ttft", "ms", ttftMs);
        put(m, "tpot", "ms", tpotMs);
        put(m, "itl", "ms", itlMs);
        put(m, "e2e_latency", "s", e2eS);
        m.put(Metrics.OUTPUT_TPS, outputTokensPerS());
        m.put(Metrics.OUTPUT_TPS_PER_GPU, outputTokensPerS() / gpus);
        m.put(Metrics.TOTAL_TPS, totalTokensPerS());
        m.put(Metrics.TOTAL_TPS_PER_GPU, totalTokensPerS() / gpus);
        m.put(Metrics.REQUESTS_PER_S, requestsPerS());
        m.put(Metrics.SUCCESS_RATE, successRate());
        m.put(Metrics.REQUESTS, (double) requests);
        m.put(Metrics.FAILED_REQUESTS, (double) (requests - succeeded));
        m.put(Metrics.GPUS, (double) gpus);
        m.values().removeIf(v -> Double.isNaN(v));
        return m;
    }

    public LevelMetrics toLevelMetrics() {
        return new LevelMetrics(concurrency, toMetrics());
    }

    private static void put(Map<String, Double> m, String name, String unit, Stats s) {
        m.put(name + "_mean_" + unit, s.mean());
        m.put(name + "_p50_" + unit, s.p50());
        m.put(name + "_p90_" + unit, s.p90());
        m.put(name + "_p99_" + unit, s.p99());
    }
}
