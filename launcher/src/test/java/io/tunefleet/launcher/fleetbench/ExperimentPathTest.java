package io.tunefleet.launcher.fleetbench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the benchmark splits an experiment's time between the coordinator, the broker and the workers. */
class ExperimentPathTest {

    /** Task 7; every time in ms from 0. */
    private static ExperimentRow row(int seq, long created, long queued, long started, long hold, long finished,
                                     long committed) {
        return new ExperimentRow(7, seq, 1, "w1", "SUCCEEDED", hold, created, queued, started, finished, committed);
    }

    @Test
    void eachStageIsTheTimeBetweenTwoStoredMoments() {
        List<ExperimentRow> rows = List.of(
                row(1, 0, 10, 30, 100, 134, 140),
                row(2, 0, 20, 40, 0, 46, 60));

        ExperimentPath path = ExperimentPath.of(rows, Map.of(7L, 2));

        assertThat(path.stages().get("publish").meanMs()).isEqualTo(15.0);       // 10 and 20
        assertThat(path.stages().get("claim").meanMs()).isEqualTo(20.0);         // 20 and 20
        assertThat(path.stages().get("run_overhead").meanMs()).isEqualTo(5.0);   // 134-30-100 and 46-40-0
        assertThat(path.stages().get("result").meanMs()).isEqualTo(10.0);        // 6 and 14
        assertThat(path.stages().get("refill").count()).as("nothing beyond the first window").isZero();
    }

    @Test
    void theExperimentPastTheWindowWaitsForTheCommitThatFreedItsSlot() {
        List<ExperimentRow> rows = List.of(
                row(1, 0, 5, 10, 0, 20, 50),
                row(2, 0, 5, 10, 0, 20, 30),   // the first commit, at 30
                row(3, 38, 45, 50, 0, 60, 70), // stored 8 ms after it
                row(4, 53, 60, 65, 0, 70, 80)); // stored 3 ms after the second commit, at 50

        assertThat(ExperimentPath.refills(rows, Map.of(7L, 2))).containsExactly(8L, 3L);
        assertThat(ExperimentPath.of(rows, Map.of(7L, 2)).toJson()).containsKeys("refill", "publish", "claim",
                "run_overhead", "result", "sum_of_means");
    }
}
