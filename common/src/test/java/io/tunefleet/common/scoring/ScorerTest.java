package io.tunefleet.common.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.tunefleet.common.task.Objective;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScorerTest {

    private static LevelMetrics level(int concurrency, double ttftMs, double tpotMs, double p90S, double tpsPerGpu) {
        return new LevelMetrics(concurrency, Map.of(
                Metrics.TTFT_MEAN_MS, ttftMs, Metrics.TPOT_MEAN_MS, tpotMs, Metrics.E2E_MEAN_S, p90S * 0.8,
                Metrics.E2E_P90_S, p90S, Metrics.OUTPUT_TPS_PER_GPU, tpsPerGpu, Metrics.SUCCESS_RATE, 1.0,
                Metrics.REQUESTS, 10.0));
    }

    private static final Map<String, Object> HARD_P90 = Map.of("latency",
            Map.of("p90", Map.of("threshold", 5.0, "weight", 2.0, "hard_fail", true, "fail_ratio", 0.2)));

    @Test
    void withoutSloTheScoreIsTheObjectiveMetricAggregatedOverLevels() {
        var score = Scorer.score(Objective.MINIMIZE_TTFT, Slo.none(),
                List.of(level(1, 100, 10, 1, 50), level(8, 300, 12, 2, 200)));

        assertThat(score.feasible()).isTrue();
        assertThat(score.metrics()).containsEntry("ttft_mean_ms", 200.0).containsEntry("score", 200.0)
                .containsEntry("output_tokens_per_s_per_gpu", 200.0).containsEntry("requests", 20.0)
                .containsEntry("c8_ttft_mean_ms", 300.0);
    }

    @Test
    void aLevelBreakingAHardSloByMoreThanItsFailRatioIsDropped() {
        var score = Scorer.score(Objective.MAXIMIZE_THROUGHPUT, Slo.parse(HARD_P90),
                List.of(level(1, 100, 10, 4.0, 50), level(64, 900, 30, 6.5, 800)));

        assertThat(score.metrics()).containsEntry("levels_dropped", 1.0)
                .containsEntry("output_tokens_per_s_per_gpu", 50.0).containsEntry("score", 50.0);
        assertThat(score.dropped()).singleElement().asString().contains("concurrency 64", "latency.p90");
    }

    @Test
    void aViolationWithinTheFailRatioIsASoftPenaltyInTheObjectivesDirection() {
        // p90 = 5.5 s, 10 % over 5 s: penalty 2 * exp(0.1 / 0.1) = 2e, multiplier 1 + 2e
        double multiplier = 1 + 2 * Math.E;
        var throughput = Scorer.score(Objective.MAXIMIZE_THROUGHPUT, Slo.parse(HARD_P90),
                List.of(level(4, 100, 10, 5.5, 100)));
        var latency = Scorer.score(Objective.MINIMIZE_LATENCY, Slo.parse(HARD_P90),
                List.of(level(4, 100, 10, 5.5, 100)));

        assertThat(throughput.metrics().get("score")).isCloseTo(100 / multiplier, within(1e-9));
        assertThat(latency.metrics().get("score")).isCloseTo(4.4 * multiplier, within(1e-9));
        assertThat(latency.metrics()).containsEntry("e2e_latency_mean_s", 4.4);
    }

    @Test
    void ttftAndTpotThresholdsAreSecondsAsInTheOriginalTaskFiles() {
        Slo slo = Slo.parse(Map.of("ttft", Map.of("threshold", 0.2, "hard_fail", true, "fail_ratio", 0.1),
                "tpot", Map.of("threshold", 0.05)));

        assertThat(Scorer.dropReason(slo, level(1, 199, 10, 1, 1))).isNull();
        assertThat(Scorer.dropReason(slo, level(1, 230, 10, 1, 1))).contains("ttft");
        assertThat(Scorer.penalty(slo, level(1, 100, 60, 1, 1))).isCloseTo(Math.exp(2), within(1e-9));
    }

    @Test
    void whenEveryLevelIsDroppedTheConfigurationIsInfeasible() {
        var failed = new LevelMetrics(1, Map.of(Metrics.SUCCESS_RATE, 0.0));
        var score = Scorer.score(Objective.MINIMIZE_LATENCY, Slo.parse(HARD_P90),
                List.of(failed, level(8, 100, 10, 9, 10)));

        assertThat(score.feasible()).isFalse();
        assertThat(score.metrics()).doesNotContainKey("score");
        assertThat(score.dropped()).hasSize(2);
    }

    @Test
    void anObjectiveNotMeasuredGivesNoScoreAndIsNoSloVerdict() {
        // One output token per request: no time per output token at any level.
        var oneToken = new LevelMetrics(1, Map.of(Metrics.TTFT_MEAN_MS, 50.0, Metrics.SUCCESS_RATE, 1.0));
        var score = Scorer.score(Objective.MINIMIZE_TPOT, Slo.none(), List.of(oneToken));

        assertThat(score.feasible()).isTrue();
        assertThat(score.score()).isEmpty();
        assertThat(score.metrics()).doesNotContainKey("score").containsEntry("ttft_mean_ms", 50.0);
    }

    @Test
    void aBadSloValueIsRejectedWithItsPath() {
        assertThatThrownBy(() -> Slo.parse(Map.of("latency", Map.of("p99", Map.of("threshold", -1)))))
                .hasMessageContaining("slo.latency.p99.threshold");
        assertThatThrownBy(() -> Slo.parse(Map.of("steepness", 0))).hasMessageContaining("steepness");
    }

    @Test
    void aNegativeWeightOrFailRatioIsRejectedWithItsPath() {
        assertThatThrownBy(() -> Slo.parse(Map.of("latency", Map.of("p90", Map.of("threshold", 2, "fail_ratio", -0.1)))))
                .hasMessage("slo.latency.p90.fail_ratio must not be negative, got -0.1");
        assertThatThrownBy(() -> Slo.parse(Map.of("ttft", Map.of("threshold", 2, "weight", -1))))
                .hasMessage("slo.ttft.weight must not be negative, got -1.0");
        assertThatThrownBy(() -> Slo.parse(Map.of("tpot", Map.of("threshold", 2, "weight", Double.POSITIVE_INFINITY))))
                .hasMessage("slo.tpot.weight must be a finite number, got Infinity");
    }

    @Test
    void aBoundFarOverItsThresholdGivesAFiniteScoreThatRanksBelowAnyNearIt() {
        Slo soft = Slo.parse(Map.of("latency", Map.of("p90", Map.of("threshold", 0.01, "weight", 1.0))));
        Slo weightless = Slo.parse(Map.of("latency", Map.of("p90", Map.of("threshold", 0.01, "weight", 0))));

        // p90 100 s against 0.01 s: exp(9999 / 0.1) overflows a double.
        var far = Scorer.score(Objective.MINIMIZE_LATENCY, soft, List.of(level(1, 100, 10, 100, 10)));
        var near = Scorer.score(Objective.MINIMIZE_LATENCY, soft, List.of(level(1, 100, 10, 0.012, 10)));

        assertThat(far.metrics().get("score")).isFinite().isGreaterThan(near.metrics().get("score"));
        assertThat(far.metrics()).containsEntry("slo_penalty", 1 + Scorer.MAX_PENALTY);
        assertThat(Scorer.score(Objective.MINIMIZE_LATENCY, weightless, List.of(level(1, 100, 10, 100, 10)))
                .metrics()).as("a weight of 0 times the overflow").containsEntry("slo_penalty", 1.0);
    }
}
