package io.tunefleet.worker.claim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When a node stops backfilling so that a waiting whole-node experiment can start. */
class DrainRuleTest {

    static final double MEAN_RUN_MS = 1_000;

    @Test
    void aMostlyFreeNodeDrainsForAWholeNodeJobThatWaitedTwoMeanRuns() {
        assertThat(ClaimLoop.drains(8, 5, 8, 2_000, MEAN_RUN_MS)).isTrue();
        assertThat(ClaimLoop.drains(8, 7, 8, 5_000, MEAN_RUN_MS)).isTrue();
    }

    @Test
    void notBeforeTheJobWaitedTwoMeanRuns() {
        assertThat(ClaimLoop.drains(8, 5, 8, 1_999, MEAN_RUN_MS)).isFalse();
        assertThat(ClaimLoop.drains(8, 5, 8, 60_000, 0)).as("no run seen yet").isFalse();
    }

    @Test
    void aBusyNodeKeepsBackfilling() {
        assertThat(ClaimLoop.drains(8, 4, 8, 60_000, MEAN_RUN_MS)).isFalse();
    }

    @Test
    void aFreeNodeTakesTheJobInsteadOfDraining() {
        assertThat(ClaimLoop.drains(8, 8, 8, 60_000, MEAN_RUN_MS)).isFalse();
    }

    @Test
    void onlyForAJobNeedingTheWholeNode() {
        assertThat(ClaimLoop.drains(8, 5, 4, 60_000, MEAN_RUN_MS)).isFalse();
        assertThat(ClaimLoop.drains(8, 5, 0, 60_000, MEAN_RUN_MS)).as("nothing announced").isFalse();
        assertThat(ClaimLoop.drains(1, 0, 1, 60_000, MEAN_RUN_MS)).as("a one-GPU node never drains").isFalse();
    }
}
