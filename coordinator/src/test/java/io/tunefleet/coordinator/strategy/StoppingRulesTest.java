package io.tunefleet.coordinator.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunefleet.common.experiment.FailureClass;
import io.tunefleet.common.task.Objective;
import io.tunefleet.common.task.StoppingSpec;
import io.tunefleet.coordinator.strategy.StoppingRules.Trial;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StoppingRulesTest {

    static final long HOUR = 3_600_000;

    static List<Trial> latencies(double... values) {
        List<Trial> trials = new ArrayList<>();
        for (double v : values) {
            trials.add(Trial.succeeded(v, 1, 0, 60_000));
        }
        return trials;
    }

    @Test
    void patienceStopsAfterNExperimentsWithoutEnoughImprovement() {
        StoppingRules rules = new StoppingRules(new StoppingSpec(3, 5, 0, 0), Objective.MINIMIZE_LATENCY);

        // 1.0 -> 0.8 is an improvement; 0.79 and 0.78 improve by less than 5 %; then a worse one.
        assertThat(rules.check(latencies(1.0, 0.8, 0.79, 0.78), 0)).isEmpty();
        assertThat(rules.check(latencies(1.0, 0.8, 0.79, 0.78, 0.9), 0)).hasValueSatisfying(reason -> assertThat(reason)
                .contains("patience").contains("5 %").contains("last 3 finished experiments")
                .contains("e2e_latency_mean_s 0.78").contains("experiment 4"));
        // A real improvement resets the count.
        assertThat(rules.check(latencies(1.0, 0.8, 0.79, 0.78, 0.7, 0.71), 0)).isEmpty();
    }

    @Test
    void patienceReadsTheObjectiveDirection() {
        StoppingRules rules = new StoppingRules(new StoppingSpec(2, 1, 0, 0), Objective.MAXIMIZE_THROUGHPUT);
        assertThat(rules.check(latencies(100, 120, 150), 0)).isEmpty();
        assertThat(rules.check(latencies(150, 120, 100), 0)).isPresent();
    }

    @Test
    void failuresCountTowardPatienceAndTheFailureLimit() {
        List<Trial> trials = latencies(1.0);
        trials.add(Trial.failed(FailureClass.OUT_OF_MEMORY, 2, 0L, 1000L));
        trials.add(Trial.failed(FailureClass.INVALID_CONFIG, 2, 0L, 1000L));
        trials.add(Trial.running(4, 0));

        assertThat(new StoppingRules(new StoppingSpec(0, 1, 3, 0), Objective.MINIMIZE_LATENCY).check(trials, 0))
                .isEmpty();
        assertThat(new StoppingRules(new StoppingSpec(0, 1, 2, 0), Objective.MINIMIZE_LATENCY).check(trials, 0))
                .hasValueSatisfying(r -> assertThat(r).isEqualTo(
                        "max_failed_experiments reached: 2 experiments failed (limit 2)"));
        assertThat(new StoppingRules(new StoppingSpec(2, 1, 0, 0), Objective.MINIMIZE_LATENCY).check(trials, 0))
                .isPresent();
    }

    @Test
    void gpuHourBudgetCountsFinishedAndRunningExperiments() {
        List<Trial> trials = new ArrayList<>();
        trials.add(Trial.succeeded(1.0, 4, 0, HOUR / 2)); // 2 GPU hours
        trials.add(Trial.running(8, HOUR / 2)); // 8 GPUs since half an hour in
        StoppingRules rules = new StoppingRules(new StoppingSpec(0, 1, 0, 5), Objective.MINIMIZE_LATENCY);

        assertThat(StoppingRules.gpuHours(trials, HOUR / 2 + HOUR / 4)).isEqualTo(4.0);
        assertThat(rules.check(trials, HOUR / 2 + HOUR / 4)).isEmpty();
        assertThat(rules.check(trials, HOUR / 2 + HOUR * 3 / 8)).hasValueSatisfying(r -> assertThat(r)
                .isEqualTo("gpu_hours_budget spent: 5.00 of 5.00 GPU hours used"));
    }

    @Test
    void gpuHourBudgetCountsTheAttemptsGivenUpBeforeTheOneThatRan() {
        // 8 GPUs: an hour on a worker that was lost, then an hour more on the retry.
        List<Trial> trials = List.of(Trial.succeeded(1.0, 8, 2 * HOUR, 3 * HOUR).afterEarlierAttempts(HOUR));

        assertThat(StoppingRules.gpuHours(trials, 3 * HOUR)).isEqualTo(16.0);
        assertThat(new StoppingRules(new StoppingSpec(0, 1, 0, 12), Objective.MINIMIZE_LATENCY).check(trials, 3 * HOUR))
                .hasValueSatisfying(r -> assertThat(r).startsWith("gpu_hours_budget spent: 16.00"));
    }

    @Test
    void noRulesNeverStop() {
        StoppingRules rules = new StoppingRules(StoppingSpec.none(), Objective.MINIMIZE_LATENCY);
        List<Trial> trials = latencies(1, 1, 1, 1, 1, 1, 1, 1);
        trials.add(Trial.failed(FailureClass.OUT_OF_MEMORY, 8, 0L, 100 * HOUR));
        assertThat(rules.check(trials, 100 * HOUR)).isEmpty();
    }
}
