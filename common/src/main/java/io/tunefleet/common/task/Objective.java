package io.tunefleet.common.task;

import java.util.Arrays;
import java.util.Optional;

/** What a task optimizes, the metric it reads and which way is better. */
public enum Objective {
    MINIMIZE_LATENCY("minimize_latency", "e2e_latency_mean_s", false),
    MAXIMIZE_THROUGHPUT("maximize_throughput", "output_tokens_per_s_per_gpu", true),
    MINIMIZE_TTFT("minimize_ttft", "ttft_mean_ms", false),
    MINIMIZE_TPOT("minimize_tpot", "tpot_mean_ms", false);

    private final String wireName;
    private final String metric;
    private final boolean higherIsBetter;

    Objective(String wireName, String metric, boolean higherIsBetter) {
        this.wireName = wireName;
        this.metric = metric;
        this.higherIsBetter = higherIsBetter;
    }

    public String wireName() {
        return wireName;
    }

    /** Name of the metric in an experiment's results that this objective reads. */
    public String metric() {
        return metric;
    }

    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    /** True when {@code candidate} is strictly better than {@code incumbent}. */
    public boolean isBetter(double candidate, double incumbent) {
        return higherIsBetter ? candidate > incumbent : candidate < incumbent;
    }

    public static Optional<Objective> fromWireName(String name) {
        return Arrays.stream(values()).filter(o -> o.wireName.equals(name)).findFirst();
    }
}
