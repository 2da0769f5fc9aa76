package io.tunefleet.launcher.fleetbench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the fleet benchmark turns stored experiments into its figures. */
class FleetFiguresTest {

    /** Task 1 on an 8-GPU worker; times in ms from 0. */
    private static ExperimentRow row(int seq, int gpus, String worker, long queued, long started, long finished) {
        return new ExperimentRow(1, seq, gpus, worker, "SUCCEEDED", finished - started, 0, queued, started, finished,
                finished + 2);
    }

    @Test
    void aGapIsTheTimeFromAReleaseToTheWorkersNextClaimWhileFittingWorkWaited() {
        List<ExperimentRow> rows = List.of(
                row(1, 8, "w1", 0, 0, 1_000),
                row(2, 4, "w1", 0, 1_007, 2_000),   // waited since 0, fits once 1 ends: gap 7 ms
                row(3, 4, "w1", 0, 1_030, 3_000),   // same release; the gap is to the next claim only
                row(4, 2, "w2", 5_000, 5_000, 6_000)); // w2's release at 6 000: nothing waits, no gap

        assertThat(FleetFigures.dispatchGaps(rows, 8)).containsExactly(new FleetFigures.Gap(7, 7, false, "w1", 1_000));
    }

    @Test
    void aGapEndsWhenAnotherWorkerTakesTheLastWorkThatFitted() {
        List<ExperimentRow> rows = List.of(
                row(1, 2, "w1", 0, 0, 1_000),
                row(2, 6, "w1", 0, 0, 5_000),         // at 1 000 w1 has 2 GPUs free
                row(3, 2, "w2", 990, 1_001, 2_000),   // what fitted them, taken by w2 1 ms later
                row(4, 2, "w1", 1_096, 1_101, 2_000)); // published after the release; w1 claims it in 5 ms

        assertThat(FleetFigures.dispatchGaps(rows, 8)).containsExactly(new FleetFigures.Gap(1, 101, false, "w1", 1_000));
    }

    @Test
    void aReleaseThatFreesTooFewGpusForWhatWaitsIsNoGap() {
        List<ExperimentRow> rows = List.of(
                row(1, 2, "w1", 0, 0, 1_000),
                row(2, 6, "w1", 0, 0, 5_000),
                row(3, 8, "w1", 0, 5_010, 6_000)); // at 1 000 only 2 GPUs free: the 8-GPU job cannot fit

        assertThat(FleetFigures.dispatchGaps(rows, 8)).extracting(FleetFigures.Gap::ms).containsExactly(10.0);
        assertThat(FleetFigures.dispatchGaps(rows, 8)).filteredOn(g -> !g.beforeWholeNode())
                .as("the node emptied for a whole-node job").isEmpty();
    }

    @Test
    void theJsonNamesTheWorkerAndTheMomentOfTheLongestGapThatWasNotOnPurpose() {
        List<ExperimentRow> rows = List.of(
                row(1, 2, "w1", 0, 0, 1_000),
                row(2, 6, "w1", 0, 0, 5_000),
                row(3, 8, "w1", 0, 5_900, 6_000),  // w1 emptied for it: a 900 ms gap, on purpose
                row(4, 1, "w2", 0, 0, 2_000),
                row(5, 1, "w2", 0, 2_040, 3_000),  // 40 ms
                row(6, 1, "w2", 0, 3_015, 4_000)); // 15 ms

        Map<String, Object> json = FleetFigures.of(Workload.named("mixed"), rows, 0,
                new FleetFigures.Cpu(1.5, 3.0, -1), 200).toJson();

        assertThat(json.get("longest_dispatch_gap"))
                .isEqualTo(Map.of("ms", 40.0, "to_next_claim_ms", 40.0, "worker", "w2",
                        "released_at", "1970-01-01T00:00:02Z"));
    }

    @Test
    void aWholeNodeWaitCountsFromWhenEveryEarlierExperimentOfItsTaskStarted() {
        List<ExperimentRow> rows = List.of(
                row(1, 1, "w1", 0, 3_000, 4_000),
                row(2, 8, "w2", 0, 5_000, 7_000)); // head of the window at 3 000, started at 5 000: 2 s over 2 s

        assertThat(FleetFigures.wholeNodeWait(rows, 8)).containsExactly(2.0, 1.0);
    }

    @Test
    void theJsonHasEveryFieldTheBenchmarkPromises() {
        Workload w = Workload.named("mixed");
        Map<String, Object> json = FleetFigures.of(w, List.of(row(1, 1, "w1", 0, 0, 1_000)), 0,
                new FleetFigures.Cpu(1.5, 3.0, -1), 200).toJson();

        assertThat(json).containsKeys("workload", "makespan_s", "ideal_makespan_s", "efficiency", "lower_bound_s",
                "bound_ratio", "fifo_makespan_s", "sequential_s", "dispatch_gap_ms", "max_whole_node_wait_s",
                "throughput_per_s", "coordinator_peak_rss_mb", "policy_makespan_s",
                "ideal_max_whole_node_wait_over_duration", "policy_max_whole_node_wait_over_duration",
                "dispatch_gap_not_before_whole_node_ms", "cpu_ms_per_experiment", "experiment_path_ms", "idle_gpu_s");
        assertThat(String.valueOf(((Map<?, ?>) json.get("idle_gpu_s")).keySet()))
                .isEqualTo("[dispatch, coordinator, placement, no_work, capacity, overhead_share]");
        assertThat((double) ((Map<?, ?>) json.get("idle_gpu_s")).get("capacity")).as("3 nodes x 8 GPUs x the makespan")
                .isEqualTo(24 * (double) json.get("makespan_s"), org.assertj.core.data.Offset.offset(0.001));
        assertThat(String.valueOf(((Map<?, ?>) json.get("cpu_ms_per_experiment")).keySet())).as("no local broker")
                .isEqualTo("[coordinator, workers]");
        assertThat(((Map<?, ?>) json.get("cpu_ms_per_experiment")).get("workers")).isEqualTo(3000.0);
        assertThat(String.valueOf(((Map<?, ?>) json.get("dispatch_gap_ms")).keySet())).contains("p50", "p99", "max");
        assertThat((double) json.get("ideal_makespan_s")).isEqualTo(18.03, org.assertj.core.data.Offset.offset(0.01));
    }
}
