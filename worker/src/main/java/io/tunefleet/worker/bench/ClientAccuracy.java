package io.tunefleet.worker.bench;

import io.tunefleet.worker.sim.LatencyModel;
import io.tunefleet.worker.sim.ServedTimings;
import io.tunefleet.worker.sim.SimEngine;
import io.tunefleet.worker.sim.SimEngineOptions;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * How well the benchmark client measures a server: it runs the client against a sim engine pinned
 * to a known time to first token and time per output token, over real HTTP on 127.0.0.1, and
 * compares the client's means with both the configured values and what the engine recorded it
 * actually delivered. A first, unmeasured run warms both sides up (JIT, connections).
 */
public final class ClientAccuracy {

    public static final String MODEL = "sim-8b";
    public static final int PROMPT_TOKENS = 64;
    static final int WARMUP_REQUESTS = 2000;

    private ClientAccuracy() {
    }

    /** One measurement at one concurrency. */
    public static Figures measure(int concurrency, int requests, double ttftMs, double tpotMs, int outputTokens)
            throws IOException, InterruptedException {
        warmUp(concurrency, outputTokens);
        try (SimEngine engine = SimEngine.start(SimEngineOptions.of(0, MODEL, LatencyModel.pinned(ttftMs, tpotMs)))) {
            BenchmarkClient client = client(engine);
            TrafficScenario scenario = scenario(outputTokens);
            BenchmarkPlan warmup = new BenchmarkPlan(List.of(scenario), List.of(concurrency), concurrency,
                    Duration.ofSeconds(60), 1, 7, 1);
            client.run(warmup);
            BenchmarkPlan plan = new BenchmarkPlan(List.of(scenario), List.of(concurrency), requests,
                    Duration.ofSeconds(60), 0, 7, 1);
            // The warm-ups leave the young generation nearly full; collecting it now keeps a pause from
            // landing in the measured run (at 64 streams one pause moved a round's mean TTFT by ~2 ms).
            System.gc();
            ServedTimings.Snapshot before = engine.served();
            LevelResult level = client.run(plan).get(0);
            ServedTimings.Snapshot served = engine.served().since(before);
            return new Figures(concurrency, ttftMs, tpotMs, outputTokens, level, served.ttftMs(), served.tpotMs());
        }
    }

    /**
     * Brings the client's and the server's code to the steady state of a long-running worker (compiled,
     * not interpreted) against an engine that answers at once, so the measured run is not the JIT's.
     */
    private static void warmUp(int concurrency, int outputTokens) throws IOException, InterruptedException {
        try (SimEngine engine = SimEngine.start(SimEngineOptions.of(0, MODEL, LatencyModel.pinned(0, 0)))) {
            client(engine).run(new BenchmarkPlan(List.of(scenario(outputTokens)), List.of(Math.min(concurrency, 4)),
                    WARMUP_REQUESTS, Duration.ofSeconds(10), 0, 7, 1));
        }
    }

    private static BenchmarkClient client(SimEngine engine) {
        return new BenchmarkClient(URI.create("http://127.0.0.1:" + engine.port()), MODEL, true, Duration.ofSeconds(30));
    }

    private static TrafficScenario scenario(int outputTokens) {
        return TrafficScenario.parse("D(" + PROMPT_TOKENS + "," + outputTokens + ")");
    }

    /**
     * A client's figures beside the truth.
     *
     * @param servedTtftMs mean time to first token the engine recorded (handler start to first flush)
     * @param servedTpotMs mean time per output token the engine recorded (first flush to last)
     */
    public record Figures(int concurrency, double configuredTtftMs, double configuredTpotMs, int outputTokens,
                          LevelResult level, double servedTtftMs, double servedTpotMs) {

        /** Client mean minus configured, ms. */
        public double ttftErrorMs() {
            return level.ttftMs().mean() - configuredTtftMs;
        }

        public double tpotErrorMs() {
            return level.tpotMs().mean() - configuredTpotMs;
        }

        /** Client mean minus what the engine recorded it delivered, ms: what the client added itself. */
        public double ttftOverheadMs() {
            return level.ttftMs().mean() - servedTtftMs;
        }

        public double tpotOverheadMs() {
            return level.tpotMs().mean() - servedTpotMs;
        }

        /** End-to-end latency the configuration implies, s. */
        public double e2eTruthS() {
            return (configuredTtftMs + (outputTokens - 1) * configuredTpotMs) / 1000;
        }

        private static double percent(double errorMs, double truthMs) {
            return truthMs == 0 ? 0 : 100 * errorMs / truthMs;
        }

        public String describe() {
            return String.format(java.util.Locale.ROOT,
                    "concurrency %d, %d requests: TTFT %.2f ms (configured %.1f, served %.2f): error %+.2f ms"
                            + " (%+.1f %%), client overhead %+.2f ms; TPOT %.3f ms (configured %.1f, served %.3f):"
                            + " error %+.3f ms (%+.1f %%), client overhead %+.3f ms",
                    concurrency, level.requests(), level.ttftMs().mean(), configuredTtftMs, servedTtftMs,
                    ttftErrorMs(), percent(ttftErrorMs(), configuredTtftMs), ttftOverheadMs(), level.tpotMs().mean(),
                    configuredTpotMs, servedTpotMs, tpotErrorMs(), percent(tpotErrorMs(), configuredTpotMs),
                    tpotOverheadMs());
        }
    }
}
