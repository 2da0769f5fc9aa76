package io.tunefleet.worker.sim;

import io.tunefleet.common.param.ParameterSet;
import io.tunefleet.worker.runtime.SimPerformanceModel;
import java.util.Map;

/**
 * How long the simulated engine takes: time to first token and time per output token, asked at
 * the moment they matter with the number of requests in flight then (the batch the engine runs).
 */
public interface LatencyModel {

    /** Milliseconds from a request's arrival to its first token. */
    double ttftMs(int inFlight, int promptTokens, int outputTokens);

    /** Milliseconds from one output token to the next. */
    double tpotMs(int inFlight, int promptTokens, int outputTokens);

    /** Fixed figures whatever the load, so a benchmark can be checked against known truth. */
    static LatencyModel pinned(double ttftMs, double tpotMs) {
        if (!(ttftMs >= 0) || !(tpotMs >= 0)) {
            throw new IllegalArgumentException("pinned latencies must not be negative: " + ttftMs + ", " + tpotMs);
        }
        return new LatencyModel() {
            @Override
            public double ttftMs(int inFlight, int promptTokens, int outputTokens) {
                return ttftMs;
            }

            @Override
            public double tpotMs(int inFlight, int promptTokens, int outputTokens) {
                return tpotMs;
            }

            @Override
            public String toString() {
                return "pinned(ttft " + ttftMs + " ms, tpot " + tpotMs + " ms)";
            }
        };
    }

    /** The figures of {@link SimPerformanceModel} for this configuration and the load at that moment. */
    static LatencyModel of(ParameterSet params, String model) {
        return new LatencyModel() {
            @Override
            public double ttftMs(int inFlight, int promptTokens, int outputTokens) {
                return predict(inFlight, promptTokens, outputTokens).get("ttft_mean_ms");
            }

            @Override
            public double tpotMs(int inFlight, int promptTokens, int outputTokens) {
                return predict(inFlight, promptTokens, outputTokens).get("tpot_mean_ms");
            }

            private Map<String, Double> predict(int inFlight, int promptTokens, int outputTokens) {
                return SimPerformanceModel.predict(params, model, Math.max(1, inFlight), Math.max(1, promptTokens),
                        Math.max(1, outputTokens));
            }

            @Override
            public String toString() {
                return "model(" + model + ", " + params.key() + ")";
            }
        };
    }
}
