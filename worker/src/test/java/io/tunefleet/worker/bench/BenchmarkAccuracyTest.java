package io.tunefleet.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The client measures the server, not itself: against a sim engine pinned to a known TTFT and TPOT,
 * over real HTTP. The goal (2 ms and 3 %) is measured and printed by {@code ./tunefleet bench client};
 * this test holds bounds that a loaded 2-core CI VM keeps (its wake-ups from idle alone cost 2-6 ms
 * per request at concurrency 1, varying by the hour, and one stalled request among ten adds more)
 * but that real client bugs break: java.net.http.HttpClient's
 * hand-offs added +67 ms to TTFT at concurrency 64, and a TPOT divided by the token count instead of
 * the gaps between tokens is 0.6 ms low here, against a measured client overhead under 0.05 ms.
 */
class BenchmarkAccuracyTest {

    static final double TTFT_MS = 100;
    static final double TPOT_MS = 20;
    static final int OUTPUT_TOKENS = 32;

    @ParameterizedTest(name = "concurrency {0}, {1} requests")
    @CsvSource({"1, 10", "64, 128"})
    void clientMeansMatchWhatTheEngineDelivered(int concurrency, int requests) throws Exception {
        ClientAccuracy.Figures f = ClientAccuracy.measure(concurrency, requests, TTFT_MS, TPOT_MS, OUTPUT_TOKENS);
        System.out.println(f.describe());
        LevelResult level = f.level();

        assertThat(level.successRate()).isEqualTo(1.0);
        assertThat(level.requests()).isEqualTo(requests);
        assertThat(level.outputTokens()).isEqualTo((long) requests * OUTPUT_TOKENS);
        assertThat(level.promptTokens()).isEqualTo(requests * (long) ClientAccuracy.PROMPT_TOKENS);
        // What the client adds on top of what the engine recorded delivering: its own send, wake-ups, parsing.
        assertThat(f.ttftOverheadMs()).as("TTFT the client added, ms").isBetween(-5.0, 30.0);
        assertThat(Math.abs(f.tpotOverheadMs())).as("TPOT the client added, ms").isLessThanOrEqualTo(0.3);
        // Against the configured values, the engine's own lateness on a loaded host counts too.
        assertThat(Math.abs(f.ttftErrorMs())).as("TTFT error, ms").isLessThanOrEqualTo(0.35 * TTFT_MS);
        assertThat(Math.abs(f.tpotErrorMs())).as("TPOT error, ms").isLessThanOrEqualTo(0.05 * TPOT_MS);
        assertThat(Math.abs(level.e2eS().mean() - f.e2eTruthS())).isLessThanOrEqualTo(0.08 * f.e2eTruthS());
    }
}
