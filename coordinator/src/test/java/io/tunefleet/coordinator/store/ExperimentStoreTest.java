package io.tunefleet.coordinator.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tunefleet.common.experiment.ExperimentState;
import io.tunefleet.common.experiment.FailureClass;
import io.tunefleet.common.message.ClaimMessage;
import io.tunefleet.common.message.ResultMessage;
import io.tunefleet.common.message.ResultMessage.Outcome;
import io.tunefleet.common.message.Schema;
import io.tunefleet.common.param.ParameterSet;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.dao.DataAccessException;

class ExperimentStoreTest {

    @TempDir
    Path dir;
    SqliteStore store;
    ExperimentStore experiments;
    long task;

    @BeforeEach
    void openStore() {
        store = new SqliteStore(dir.resolve("t.db"));
        experiments = store.experiments;
        task = store.task("minimize_latency");
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void experimentGoesFromPendingThroughQueuedAndRunningToSucceededWithItsResult() {
        ExperimentRecord pending = insert(1, Map.of("tp-size", 2), 2);
        assertThat(pending.state()).isEqualTo(ExperimentState.PENDING);
        assertThat(pending.attempt()).isEqualTo(1);
        assertThat(pending.parameters()).containsEntry("tp-size", 2);
        assertThat(pending.configKey()).isEqualTo("tp-size=2");

        assertThat(write(() -> experiments.markQueued(pending.id(), 1))).isTrue();
        assertThat(experiments.find(pending.id()).orElseThrow().state()).isEqualTo(ExperimentState.QUEUED);

        assertThat(write(() -> experiments.markRunning(claim(pending.id(), 1)))).isTrue();
        ExperimentRecord running = experiments.find(pending.id()).orElseThrow();
        assertThat(running.state()).isEqualTo(ExperimentState.RUNNING);
        assertThat(running.workerId()).isEqualTo("worker-a");
        assertThat(running.gpuIndices()).containsExactly(0, 1);

        assertThat(write(() -> experiments.commitResult(succeeded(pending.id(), 1, 1.5), 1.5))).isTrue();
        ExperimentRecord done = experiments.find(pending.id()).orElseThrow();
        assertThat(done.state()).isEqualTo(ExperimentState.SUCCEEDED);
        assertThat(done.objectiveValue()).isEqualTo(1.5);
        assertThat(done.metrics()).containsEntry("e2e_latency_mean_s", 1.5);
        assertThat(done.finishedAt()).isEqualTo(2_000L);
        assertThat(attemptOutcome(pending.id(), 1)).isEqualTo("SUCCEEDED");
    }

    @Test
    void aClaimOrResultNamingAnotherTaskThanItsExperimentsChangesNothing() {
        ExperimentRecord pending = insert(1, Map.of("tp-size", 2), 2);
        write(() -> experiments.markQueued(pending.id(), 1));
        ClaimMessage elsewhere = new ClaimMessage(Schema.VERSION, "worker-a", "host-a", task + 1, pending.id(), 1,
                List.of(0, 1), 1_000L);

        assertThat(write(() -> experiments.markRunning(elsewhere))).isFalse();
        assertThat(stateOf(pending.id())).isEqualTo(ExperimentState.QUEUED);
        assertThat(write(() -> experiments.markRunning(claim(pending.id(), 1)))).isTrue();
        ResultMessage wrongTask = new ResultMessage(Schema.VERSION, "worker-a", task + 1, pending.id(), 1,
                Outcome.SUCCEEDED, null, null, Map.of("e2e_latency_mean_s", 1.0), List.of(0, 1), 1_000L, 2_000L);

        assertThat(write(() -> experiments.commitResult(wrongTask, 1.0))).isFalse();
        assertThat(stateOf(pending.id())).isEqualTo(ExperimentState.RUNNING);
        assertThat(write(() -> experiments.commitResult(succeeded(pending.id(), 1, 1.5), 1.5))).isTrue();
    }

    @Test
    void aStaleClaimLeavesTheAttemptsWorkerAlone() {
        long id = running(Map.of("tp-size", 1)); // claimed by worker-a
        write(() -> experiments.commitResult(succeeded(id, 1, 1.5), 1.5));
        ClaimMessage late = new ClaimMessage(Schema.VERSION, "worker-b", "host-b", task, id, 1, List.of(3), 5_000L);

        assertThat(write(() -> experiments.markRunning(late))).isFalse();
        assertThat(store.jdbc.sql("SELECT worker_id FROM attempts WHERE experiment_id = :id AND attempt = 1")
                .param("id", id).query(String.class).single()).isEqualTo("worker-a");
    }

    @Test
    void sameResultCommittedTwiceIsRefusedTheSecondTimeAndChangesNothing() {
        long id = running(Map.of("tp-size", 1));
        assertThat(write(() -> experiments.commitResult(succeeded(id, 1, 1.5), 1.5))).isTrue();
        ExperimentRecord afterFirst = experiments.find(id).orElseThrow();

        assertThat(write(() -> experiments.commitResult(succeeded(id, 1, 1.5), 1.5))).isFalse();
        // a different outcome for the same attempt is a duplicate too: the first result won
        ResultMessage failed = new ResultMessage(Schema.VERSION, "worker-b", task, id, 1, Outcome.FAILED,
                FailureClass.INFRASTRUCTURE, "lost", null, List.of(3), 1_000L, 3_000L);
        assertThat(write(() -> experiments.commitResult(failed, null))).isFalse();

        assertThat(experiments.find(id).orElseThrow()).isEqualTo(afterFirst);
        assertThat(attemptOutcome(id, 1)).isEqualTo("SUCCEEDED");
    }

    @Test
    void resultOfAnOlderAttemptLeavesTheExperimentOnItsCurrentAttemptUntouched() {
        long id = running(Map.of("tp-size", 1));
        // attempt 1 was lost; the experiment was re-queued as attempt 2
        store.jdbc.sql("UPDATE experiments SET attempt = 2, state = 'QUEUED' WHERE id = :id").param("id", id).update();
        ExperimentRecord before = experiments.find(id).orElseThrow();

        assertThat(write(() -> experiments.commitResult(succeeded(id, 1, 0.5), 0.5))).isFalse();

        assertThat(experiments.find(id).orElseThrow()).isEqualTo(before);
        assertThat(attemptOutcome(id, 1)).as("the stale result is not recorded on attempt 1 either").isNull();
        assertThat(experiments.find(id).orElseThrow().state()).isEqualTo(ExperimentState.QUEUED);
    }

    @Test
    void claimOfAnExperimentThatIsNotQueuedIsRefused() {
        ExperimentRecord pending = insert(1, Map.of("tp-size", 1), 1);
        assertThat(write(() -> experiments.markRunning(claim(pending.id(), 1)))).as("claim of PENDING").isFalse();
        assertThat(experiments.find(pending.id()).orElseThrow().state()).isEqualTo(ExperimentState.PENDING);

        long succeeded = running(Map.of("tp-size", 2));
        write(() -> experiments.commitResult(succeeded(succeeded, 1, 1.0), 1.0));
        assertThat(write(() -> experiments.markRunning(claim(succeeded, 1)))).as("claim of SUCCEEDED").isFalse();
        assertThat(experiments.find(succeeded).orElseThrow().state()).isEqualTo(ExperimentState.SUCCEEDED);
    }

    @Test
    void onlyAnAttemptStillQueuedIsFailedAsUnschedulable() {
        long claimed = running(Map.of("tp-size", 8)); // claimed since the dispatcher read it as waiting
        assertThat(write(() -> experiments.markUnschedulable(claimed, 1, "no worker has 8 GPUs"))).isFalse();
        assertThat(stateOf(claimed)).isEqualTo(ExperimentState.RUNNING);

        long queued = insert(nextSeq(), Map.of("tp-size", 4), 1).id();
        write(() -> experiments.markQueued(queued, 1));
        assertThat(write(() -> experiments.markUnschedulable(queued, 1, "no worker has 4 GPUs"))).isTrue();
        assertThat(experiments.find(queued).orElseThrow().failureClass()).isEqualTo(FailureClass.UNSCHEDULABLE);
    }

    @Test
    void aClaimCommittedBeforeIsKnownAsSuchAndNoOtherIs() {
        long id = running(Map.of("tp-size", 2));

        assertThat(experiments.alreadyClaimed(claim(id, 1))).isTrue();
        assertThat(write(() -> experiments.markRunning(claim(id, 1)))).as("it does not move twice").isFalse();
        assertThat(experiments.alreadyClaimed(new ClaimMessage(Schema.VERSION, "worker-b", "host-b", task, id, 1,
                List.of(0), 1_000L))).as("another worker's claim").isFalse();
        assertThat(experiments.alreadyClaimed(claim(id, 2))).as("another attempt").isFalse();
        long queued = insert(nextSeq(), Map.of("tp-size", 4), 1).id();
        write(() -> experiments.markQueued(queued, 1));
        assertThat(experiments.alreadyClaimed(claim(queued, 1))).as("not claimed yet").isFalse();
    }

    @Test
    void aDispatchPassQueuesEveryPendingExperimentOfItsTaskAndNoOtherTasks() {
        long a = insert(1, Map.of("tp-size", 1), 1).id();
        long b = insert(2, Map.of("tp-size", 2), 2).id();
        long otherTask = store.task("minimize_latency");
        long other = write(() -> experiments.insertPending(otherTask, 1, ParameterSet.of(Map.of("tp-size", 1)), 1));

        assertThat(write(() -> experiments.markAllQueued(task))).isEqualTo(2);
        assertThat(experiments.unpublished(task)).extracting(ExperimentRecord::id).containsExactly(a, b);
        assertThat(experiments.attemptHistory(a)).hasSize(1);
        assertThat(experiments.find(other).orElseThrow().state()).isEqualTo(ExperimentState.PENDING);
        assertThat(write(() -> experiments.markAllQueued(task))).as("nothing left pending").isZero();
    }

    @Test
    void confirmedJobsAreRecordedOnceAndOnlyForTheirAttempt() {
        long a = insert(1, Map.of("tp-size", 1), 1).id();
        long b = insert(2, Map.of("tp-size", 2), 1).id();
        write(() -> experiments.markAllQueued(task));

        assertThat(write(() -> experiments.markPublished(
                List.of(new ExperimentStore.Attempt(a, 1), new ExperimentStore.Attempt(b, 2))))).isEqualTo(1);
        assertThat(experiments.unpublished(task)).extracting(ExperimentRecord::id).containsExactly(b);
        assertThat(experiments.queuedAt(List.of(a, b))).containsOnlyKeys(a);
        assertThat(write(() -> experiments.markPublished(List.of(new ExperimentStore.Attempt(a, 1)))))
                .as("already recorded").isZero();
        assertThat(experiments.parameters(List.of(a, b, 999L))).containsOnlyKeys(a, b)
                .containsEntry(b, Map.of("tp-size", 2));
    }

    @Test
    void claimOfAnOlderAttemptIsRefused() {
        ExperimentRecord e = insert(1, Map.of("tp-size", 1), 1);
        store.jdbc.sql("UPDATE experiments SET attempt = 2 WHERE id = :id").param("id", e.id()).update();
        write(() -> experiments.markQueued(e.id(), 2));

        assertThat(write(() -> experiments.markRunning(claim(e.id(), 1)))).isFalse();
        assertThat(experiments.find(e.id()).orElseThrow().state()).isEqualTo(ExperimentState.QUEUED);
    }

    @Test
    void cancelInFlightCancelsPendingQueuedAndRunningButLeavesEndedExperiments() {
        long pending = insert(1, Map.of("tp-size", 1), 1).id();
        long queued = insert(2, Map.of("tp-size", 2), 1).id();
        write(() -> experiments.markQueued(queued, 1));
        long running = running(Map.of("tp-size", 3));
        long succeeded = running(Map.of("tp-size", 4));
        write(() -> experiments.commitResult(succeeded(succeeded, 1, 1.0), 1.0));
        long failed = running(Map.of("tp-size", 5));
        write(() -> experiments.commitResult(failed(failed, 1), null));
        long otherTask = store.task("minimize_latency");
        long otherTasksExperiment = write(() -> experiments.insertPending(otherTask, 1,
                ParameterSet.of(Map.of("tp-size", 1)), 1));

        assertThat(write(() -> experiments.cancelInFlight(task))).isEqualTo(3);

        assertThat(stateOf(pending)).isEqualTo(ExperimentState.CANCELLED);
        assertThat(stateOf(queued)).isEqualTo(ExperimentState.CANCELLED);
        assertThat(stateOf(running)).isEqualTo(ExperimentState.CANCELLED);
        assertThat(stateOf(succeeded)).isEqualTo(ExperimentState.SUCCEEDED);
        assertThat(stateOf(failed)).isEqualTo(ExperimentState.FAILED);
        assertThat(stateOf(otherTasksExperiment)).isEqualTo(ExperimentState.PENDING);
    }

    @Test
    void resultArrivingAfterCancelDoesNotReviveTheExperiment() {
        long id = running(Map.of("tp-size", 1));
        write(() -> experiments.cancelInFlight(task));

        assertThat(write(() -> experiments.commitResult(succeeded(id, 1, 1.0), 1.0))).isFalse();
        assertThat(stateOf(id)).isEqualTo(ExperimentState.CANCELLED);
        assertThat(experiments.find(id).orElseThrow().objectiveValue()).isNull();
        assertThat(attemptOutcome(id, 1)).isNull();
    }

    @Test
    void sameConfigurationTwiceInOneTaskIsRejectedByTheDatabase() {
        insert(1, Map.of("tp-size", 1, "mem-fraction-static", 0.8), 1);

        // same configuration, parameters given in another order
        assertThatThrownBy(() -> insert(2, Map.of("mem-fraction-static", 0.8, "tp-size", 1), 1))
                .isInstanceOf(DataAccessException.class)
                .hasMessageContaining("UNIQUE constraint failed: experiments.task_id, experiments.config_key");
        assertThat(experiments.byTask(task)).hasSize(1);

        long otherTask = store.task("minimize_latency");
        assertThat(write(() -> experiments.insertPending(otherTask, 1,
                ParameterSet.of(Map.of("tp-size", 1, "mem-fraction-static", 0.8)), 1))).isNotNull();
    }

    @Test
    void bestPicksTheLowestValueWhenLowerIsBetterAndIgnoresFailures() {
        succeed(Map.of("tp-size", 1), 3.0);
        succeed(Map.of("tp-size", 2), 1.0);
        succeed(Map.of("tp-size", 4), 2.0);
        long failed = running(Map.of("tp-size", 8));
        // a failed experiment with a tempting value must never win
        write(() -> experiments.commitResult(failed(failed, 1), 0.1));

        assertThat(experiments.best(task, false).orElseThrow().parameters()).containsEntry("tp-size", 2);
    }

    @Test
    void bestPicksTheHighestValueWhenHigherIsBetterAndIgnoresFailures() {
        succeed(Map.of("tp-size", 1), 3.0);
        succeed(Map.of("tp-size", 2), 1.0);
        succeed(Map.of("tp-size", 4), 2.0);
        long failed = running(Map.of("tp-size", 8));
        write(() -> experiments.commitResult(failed(failed, 1), 99.0));

        assertThat(experiments.best(task, true).orElseThrow().parameters()).containsEntry("tp-size", 1);
    }

    @Test
    void bestIsEmptyWhenNothingSucceeded() {
        long failed = running(Map.of("tp-size", 8));
        write(() -> experiments.commitResult(failed(failed, 1), null));

        assertThat(experiments.best(task, false)).isEmpty();
    }

    @Test
    void progressCountsInFlightAndSuggestedAsCountingEveryStateDoes() {
        assertThat(experiments.progress(task)).isEqualTo(new ExperimentStore.Progress(0, 0));
        insert(1, Map.of("tp-size", 1), 1); // pending
        long queued = insert(2, Map.of("tp-size", 2), 2).id();
        write(() -> experiments.markQueued(queued, 1));
        running(Map.of("tp-size", 4));
        succeed(Map.of("tp-size", 8), 1.0);
        long failed = running(Map.of("tp-size", 16));
        write(() -> experiments.commitResult(failed(failed, 1), null));

        Map<ExperimentState, Integer> counts = experiments.countByState(task);
        int inFlight = counts.get(ExperimentState.PENDING) + counts.get(ExperimentState.QUEUED)
                + counts.get(ExperimentState.RUNNING);
        assertThat(experiments.progress(task)).isEqualTo(new ExperimentStore.Progress(inFlight, 5));
        assertThat(inFlight).isEqualTo(3);
    }

    @Test
    void standingsListEndedExperimentsFirstWithWhatTheStoppingRulesRead() {
        long runningId = running(Map.of("tp-size", 1));
        succeed(Map.of("tp-size", 2), 1.0);
        long failed = running(Map.of("tp-size", 4));
        write(() -> experiments.commitResult(failed(failed, 1), null));

        List<ExperimentStore.Standing> standings = experiments.standings(task);

        assertThat(standings).extracting(ExperimentStore.Standing::state).containsExactly(
                ExperimentState.SUCCEEDED, ExperimentState.FAILED, ExperimentState.RUNNING);
        assertThat(standings.get(0).objectiveValue()).isEqualTo(1.0);
        assertThat(standings.get(1).failureClass()).isEqualTo(FailureClass.OUT_OF_MEMORY);
        assertThat(standings.get(1).objectiveValue()).isNull();
        assertThat(standings.get(2).startedAt()).isEqualTo(experiments.find(runningId).orElseThrow().startedAt());
        assertThat(standings.get(2).finishedAt()).isNull();
    }

    @Test
    void standingsCountHowLongEarlierAttemptsHeldTheirGpus() {
        long id = insert(1, Map.of("tp-size", 2), 2).id();
        long hourAgo = SqliteStore.CLOCK.millis() - 3_600_000;
        write(() -> experiments.markQueued(id, 1));
        write(() -> experiments.markRunning(new ClaimMessage(Schema.VERSION, "worker-a", "host-a", task, id, 1,
                List.of(0, 1), hourAgo)));
        // Its worker lost an hour after the claim: given up now, and run again.
        assertThat(write(() -> experiments.requeue(id, 1, "LOST", FailureClass.INFRASTRUCTURE, "worker lost"))).isTrue();
        write(() -> experiments.markQueued(id, 2));
        write(() -> experiments.markRunning(claim(id, 2)));
        write(() -> experiments.commitResult(succeeded(id, 2, 1.0), 1.0));

        ExperimentStore.Standing standing = experiments.standings(task).get(0);
        assertThat(standing.earlierAttemptsMs()).isEqualTo(3_600_000L);
        assertThat(standing.finishedAt() - standing.startedAt()).as("the attempt that succeeded").isEqualTo(1_000L);
    }

    // ---- helpers --------------------------------------------------------------------------------

    private <T> T write(java.util.function.Supplier<T> work) {
        return store.writer.write(work);
    }

    private ExperimentRecord insert(int seq, Map<String, ?> params, int gpus) {
        long id = write(() -> experiments.insertPending(task, seq, ParameterSet.of(params), gpus));
        return experiments.find(id).orElseThrow();
    }

    private int nextSeq() {
        return experiments.byTask(task).size() + 1;
    }

    /** An experiment of this task, queued and claimed as attempt 1. */
    private long running(Map<String, ?> params) {
        long id = insert(nextSeq(), params, 1).id();
        assertThat(write(() -> experiments.markQueued(id, 1))).isTrue();
        assertThat(write(() -> experiments.markRunning(claim(id, 1)))).isTrue();
        return id;
    }

    private void succeed(Map<String, ?> params, double value) {
        long id = running(params);
        assertThat(write(() -> experiments.commitResult(succeeded(id, 1, value), value))).isTrue();
    }

    private ExperimentState stateOf(long id) {
        return experiments.find(id).orElseThrow().state();
    }

    private String attemptOutcome(long id, int attempt) {
        return store.jdbc.sql("SELECT outcome FROM attempts WHERE experiment_id = :id AND attempt = :a")
                .param("id", id).param("a", attempt).query((rs, row) -> rs.getString("outcome")).list()
                .get(0); // the row must exist; its outcome may be null
    }

    private ClaimMessage claim(long id, int attempt) {
        return new ClaimMessage(Schema.VERSION, "worker-a", "host-a", task, id, attempt, List.of(0, 1), 1_000L);
    }

    private ResultMessage succeeded(long id, int attempt, double latency) {
        return new ResultMessage(Schema.VERSION, "worker-a", task, id, attempt, Outcome.SUCCEEDED, null, null,
                Map.of("e2e_latency_mean_s", latency), List.of(0, 1), 1_000L, 2_000L);
    }

    private ResultMessage failed(long id, int attempt) {
        return new ResultMessage(Schema.VERSION, "worker-a", task, id, attempt, Outcome.FAILED,
                FailureClass.OUT_OF_MEMORY, "CUDA out of memory", null, List.of(0), 1_000L, 2_000L);
    }
}
