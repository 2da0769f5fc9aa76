package io.tunefleet.coordinator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunefleet.common.experiment.ExperimentState;
import io.tunefleet.coordinator.store.ExperimentRecord;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The API shows an experiment's objective metric as measured, and beside it the score the task ranks by. */
class ExperimentViewTest {

    @Test
    void aPenalizedRunShowsItsMeasuredMetricAndItsScoreApart() {
        ExperimentView view = ExperimentView.of(succeeded(Map.of("e2e_latency_mean_s", 1.0, "slo_penalty", 149.4,
                "score", 149.4), 149.4), "e2e_latency_mean_s");

        assertThat(view.objectiveValue()).isEqualTo(1.0);
        assertThat(view.score()).isEqualTo(149.4);
    }

    @Test
    void aRunStoredWithoutTheMetricShowsItsScoreForBothAndAFailedOneNeither() {
        assertThat(ExperimentView.of(succeeded(Map.of(), 2.0), "e2e_latency_mean_s").objectiveValue()).isEqualTo(2.0);
        ExperimentView failed = ExperimentView.of(succeeded(Map.of("e2e_latency_mean_s", 1.0), null),
                "e2e_latency_mean_s");
        assertThat(failed.objectiveValue()).isNull();
        assertThat(failed.score()).isNull();
    }

    private static ExperimentRecord succeeded(Map<String, Double> metrics, Double rankedBy) {
        return new ExperimentRecord(1, 1, 1, "k=1", Map.of("k", 1), 1, ExperimentState.SUCCEEDED, 1, "w", List.of(0),
                null, null, null, metrics, rankedBy, 0L, 0L, 0L, 1L, 1L);
    }
}
