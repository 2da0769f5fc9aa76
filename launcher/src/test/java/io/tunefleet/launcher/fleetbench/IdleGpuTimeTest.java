package io.tunefleet.launcher.fleetbench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Why GPUs sat idle: the running system's overheads told apart from placement and lack of work. */
class IdleGpuTimeTest {

    private static final Map<Long, IdleGpuTime.TaskLimits> ONE_TASK = Map.of(7L, new IdleGpuTime.TaskLimits(2, 2));

    /** Task 7, on w1; every time in ms from 0; null for what did not happen. */
    private static ExperimentRow row(int seq, int gpus, long created, Long queued, Long started, Long finished,
                                     Long committed) {
        return new ExperimentRow(7, seq, gpus, "w1", "SUCCEEDED", 0, created, queued, started, finished, committed);
    }

    @Test
    void eachIdleGpuMillisecondIsChargedToItsCause() {
        // One node of 2 GPUs. A 1-GPU job is stored at 0, published at 10, claimed at 30, finishes at
        // 50 and is committed at 60. A 2-GPU job is stored and published at 0 and waits the whole time.
        List<ExperimentRow> rows = List.of(
                row(1, 1, 0, 10L, 30L, 50L, 60L),
                row(2, 2, 0, 0L, null, null, null));

        IdleGpuTime idle = IdleGpuTime.of(rows, ONE_TASK, List.of("w1"), 2, 0, 60);

        // 0-30: both GPUs free and the published 2-GPU job fits: the workers' dispatch (60 GPU-ms);
        // 50-60: both free again, the 2-GPU job still fits and waits: dispatch again (20 GPU-ms).
        assertThat(idle.dispatchS()).isCloseTo(0.080, within(1e-9));
        // 30-50: one GPU free, only the 2-GPU job waits: it does not fit (20 GPU-ms).
        assertThat(idle.placementS()).isCloseTo(0.020, within(1e-9));
        assertThat(idle.coordinatorS()).isZero();
        assertThat(idle.noWorkS()).isZero();
        assertThat(idle.dispatchS() + idle.coordinatorS() + idle.placementS() + idle.noWorkS())
                .as("every idle GPU-ms charged once: 2 GPUs x 60 ms less 20 ms of running").isCloseTo(0.100, within(1e-9));
        assertThat(idle.capacityS()).isCloseTo(0.120, within(1e-9));
    }

    @Test
    void aJobNotYetPublishedAFreeSlotAndAnUncommittedResultAreTheCoordinators() {
        // Stored at 0, published at 10, runs 10-20 on 1 of 2 GPUs, committed at 25; the task's second
        // experiment is stored only at 30: a free slot with an experiment left to suggest.
        List<ExperimentRow> rows = List.of(
                row(1, 1, 0, 10L, 10L, 20L, 25L),
                row(2, 1, 30, 30L, 30L, 40L, 40L));
        Map<Long, IdleGpuTime.TaskLimits> windowOfOne = Map.of(7L, new IdleGpuTime.TaskLimits(1, 2));

        IdleGpuTime idle = IdleGpuTime.of(rows, windowOfOne, List.of("w1"), 2, 0, 40);

        // 0-10 unpublished (2 GPUs), 10-20 one GPU free, nothing waits, window full: no work;
        // 20-25 a result not committed (2), 25-30 a free slot (2), 30-40 one free, window full.
        assertThat(idle.coordinatorS()).isCloseTo(0.040, within(1e-9));
        assertThat(idle.noWorkS()).isCloseTo(0.020, within(1e-9));
        assertThat(idle.dispatchS()).isZero();
        assertThat(idle.overheadShare()).isCloseTo(0.040 / 0.080, within(1e-9));
    }

    @Test
    void aNodeEmptyingForTheWholeNodeExperimentItClaimsNextIsPlacementNotDispatch() {
        // One node of 2 GPUs: a 1-GPU run 0-20; the whole-node job waits from 0 and is claimed at 30,
        // a 1-GPU job that would have fitted all along only after it, at 50.
        List<ExperimentRow> rows = List.of(
                row(1, 1, 0, 0L, 0L, 20L, 20L),
                row(2, 2, 0, 0L, 30L, 50L, 50L),
                row(3, 1, 0, 0L, 50L, 60L, 60L));

        IdleGpuTime idle = IdleGpuTime.of(rows, Map.of(7L, new IdleGpuTime.TaskLimits(3, 3)), List.of("w1"), 2, 0, 30);

        assertThat(idle.placementS()).as("1 GPU free for 20 ms while the node empties").isCloseTo(0.020, within(1e-9));
        assertThat(idle.dispatchS()).as("2 GPUs for 10 ms: empty, the whole-node job fits and waits")
                .isCloseTo(0.020, within(1e-9));
    }

    @Test
    void aNodeThatRanNothingIsIdleAllTheTime() {
        List<ExperimentRow> rows = List.of(row(1, 1, 0, 0L, 0L, 10L, 10L));

        IdleGpuTime idle = IdleGpuTime.of(rows, Map.of(7L, new IdleGpuTime.TaskLimits(1, 1)), List.of("w1", "w2"), 1, 0, 10);

        assertThat(idle.noWorkS()).as("w2's GPU, 10 ms").isCloseTo(0.010, within(1e-9));
        assertThat(idle.capacityS()).isCloseTo(0.020, within(1e-9));
    }
}
