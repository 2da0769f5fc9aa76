package io.tunefleet.common.scoring;

/**
 * Names of the flat metrics a benchmark level produces and the coordinator stores. Times carry their
 * unit in the name; throughput is per second, overall and per GPU.
 */
public final class Metrics {

    public static final String TTFT_MEAN_MS = "ttft_mean_ms";
    public static final String TPOT_MEAN_MS = "tpot_mean_ms";
    public static final String ITL_MEAN_MS = "itl_mean_ms";
    public static final String E2E_MEAN_S = "e2e_latency_mean_s";
    public static final String E2E_P50_S = "e2e_latency_p50_s";
    public static final String E2E_P90_S = "e2e_latency_p90_s";
    public static final String E2E_P99_S = "e2e_latency_p99_s";
    public static final String OUTPUT_TPS = "output_tokens_per_s";
    public static final String OUTPUT_TPS_PER_GPU = "output_tokens_per_s_per_gpu";
    public static final String TOTAL_TPS = "total_tokens_per_s";
    public static final String TOTAL_TPS_PER_GPU = "total_tokens_per_s_per_gpu";
    public static final String REQUESTS_PER_S = "requests_per_s";
    public static final String SUCCESS_RATE = "success_rate";
    public static final String REQUESTS = "requests";
    public static final String FAILED_REQUESTS = "failed_requests";
    public static final String GPUS = "gpus";
    public static final String SCORE = "score";
    public static final String SLO_PENALTY = "slo_penalty";
    public static final String LEVELS_KEPT = "levels_kept";
    public static final String LEVELS_DROPPED = "levels_dropped";

    private Metrics() {
    }

    /** True for metrics where more is better and the best level counts (throughput, request rate). */
    static boolean isRate(String name) {
        return name.contains("tokens_per_s") || name.equals(REQUESTS_PER_S);
    }

    /** True for counts that add up over levels. */
    static boolean isCount(String name) {
        return name.equals(REQUESTS) || name.equals(FAILED_REQUESTS);
    }
}
