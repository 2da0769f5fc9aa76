package io.tunefleet.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunefleet.worker.sim.LatencyModel;
import io.tunefleet.worker.sim.SimEngine;
import io.tunefleet.worker.sim.SimEngineOptions;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The client measures the server, not itself: against known TTFT and TPOT, over real HTTP. */
class BenchmarkAccuracyTest {

    static final double TTFT_MS = 100;
    static final double TPOT_MS = 20;
    static final int OUTPUT_TOKENS = 16;

    @ParameterizedTest(name = "concurrency {0}, {1} requests")
    @CsvSource({"1, 6", "64, 128"})
    void measuredMeansAreWithinTwoMillisecondsAndThreePercentOfTheServersTruth(int concurrency, int requests)
            throws Exception {
        try (SimEngine engine = SimEngine.start(SimEngineOptions.of(0, "sim-8b",
                LatencyModel.pinned(TTFT_MS, TPOT_MS)))) {
            BenchmarkClient client = new BenchmarkClient(URI.create("http://127.0.0.1:" + engine.port()), "sim-8b",
                    true, Duration.ofSeconds(30));
            BenchmarkPlan plan = new BenchmarkPlan(List.of(TrafficScenario.parse("D(64," + OUTPUT_TOKENS + ")")),
                    List.of(concurrency), requests, Duration.ofSeconds(30), 2, 7, 1);

            LevelResult level = client.run(plan).get(0);

            double ttftError = Math.abs(level.ttftMs().mean() - TTFT_MS);
            double tpotError = Math.abs(level.tpotMs().mean() - TPOT_MS);
            double e2eTruthS = (TTFT_MS + (OUTPUT_TOKENS - 1) * TPOT_MS) / 1000;
            System.out.printf("concurrency %d: ttft %.3f ms (p50 %.3f, p99 %.3f), tpot %.4f ms (p99 %.4f), itl %.4f ms,"
                            + " e2e %.4f s, output %.1f tok/s%n", concurrency, level.ttftMs().mean(), level.ttftMs().p50(),
                    level.ttftMs().p99(), level.tpotMs().mean(), level.tpotMs().p99(), level.itlMs().mean(),
                    level.e2eS().mean(), level.outputTokensPerS());
            assertThat(level.successRate()).isEqualTo(1.0);
            assertThat(level.requests()).isEqualTo(requests);
            assertThat(level.outputTokens()).isEqualTo((long) requests * OUTPUT_TOKENS);
            assertThat(level.promptTokens()).isEqualTo(requests * 64L);
            assertThat(ttftError).isLessThanOrEqualTo(2.0).isLessThanOrEqualTo(0.03 * TTFT_MS);
            assertThat(tpotError).isLessThanOrEqualTo(2.0).isLessThanOrEqualTo(0.03 * TPOT_MS);
            assertThat(Math.abs(level.e2eS().mean() - e2eTruthS)).isLessThanOrEqualTo(0.03 * e2eTruthS);
        }
    }
}
