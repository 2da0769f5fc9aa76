package io.tunefleet.coordinator.dispatch;

import static io.tunefleet.coordinator.dispatch.AmqpMessages.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.tunefleet.common.experiment.ExperimentState;
import io.tunefleet.common.experiment.FailureClass;
import io.tunefleet.common.message.BatchMessage;
import io.tunefleet.common.message.ClaimMessage;
import io.tunefleet.common.message.HeartbeatMessage;
import io.tunefleet.common.message.JobMessage;
import io.tunefleet.common.message.ResultMessage;
import io.tunefleet.common.message.Schema;
import io.tunefleet.common.param.ParameterSet;
import io.tunefleet.common.task.TaskSpecParser;
import io.tunefleet.coordinator.CoordinatorApplication;
import io.tunefleet.coordinator.dispatch.NoBrokerConfiguration.RecordingControl;
import io.tunefleet.coordinator.dispatch.NoBrokerConfiguration.RecordingDeadLetters;
import io.tunefleet.coordinator.store.ExperimentRecord;
import io.tunefleet.coordinator.store.StoreWriter;
import io.tunefleet.coordinator.store.TaskStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Claims and results committed a batch at a time keep the meaning they had one at a time: in
 * delivery order (a claim and its result in one batch), duplicates stale, a retryable failure
 * re-queued as a new attempt between the commits of what came before and after it.
 */
@SpringBootTest(classes = CoordinatorApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.config.name=" + CoordinatorApplication.CONFIG_NAME,
                "tunefleet.coordinator.dispatch-tick=100ms"})
@Import(NoBrokerConfiguration.class)
class WorkerMessageBatchTest extends NoBrokerDispatchTest {

    @LocalServerPort
    int port;
    @Autowired
    RecordingDeadLetters deadLetters;
    @Autowired
    RecordingControl control;
    @Autowired
    MeterRegistry meters;
    @Autowired
    TaskStore taskStore;
    @Autowired
    StoreWriter writer;
    @Autowired
    JdbcClient jdbc;

    @Test
    void aBatchIsAppliedInDeliveryOrderWithRetriesBetweenItsCommits() throws Exception {
        List<JobMessage> jobs = jobsOfANewTask();
        JobMessage a = jobs.get(0);
        JobMessage b = jobs.get(1);
        JobMessage c = jobs.get(2);

        listener.onWorkerMessages(List.of(
                message(claim(a)), message(result(a, null)), message(result(a, null)), // claim, result, duplicate
                message(claim(b)), message(result(b, FailureClass.INFRASTRUCTURE)), // retryable: a new attempt
                message(claim(c)), message(result(c, FailureClass.OUT_OF_MEMORY))));

        assertThat(state(a)).isEqualTo(ExperimentState.SUCCEEDED);
        ExperimentRecord retried = experiments.find(b.experimentId()).orElseThrow();
        assertThat(retried.attempt()).isEqualTo(2);
        assertThat(retried.state()).isIn(ExperimentState.PENDING, ExperimentState.QUEUED);
        assertThat(state(c)).isEqualTo(ExperimentState.FAILED);
        assertThat(experiments.find(c.experimentId()).orElseThrow().failureClass())
                .isEqualTo(FailureClass.OUT_OF_MEMORY);
    }

    @Test
    void aWorkersBatchMessageReadsAsItsMessagesInOrder() throws Exception {
        int parked = deadLetters.reasons().size();
        List<JobMessage> jobs = jobsOfANewTask();
        long queueWaitsBefore = queueWaitsRecorded();
        List<ClaimMessage> claims = jobs.stream().map(WorkerMessageBatchTest::claim).toList();
        List<ResultMessage> results = List.of(result(jobs.get(0), null), result(jobs.get(1), FailureClass.INFRASTRUCTURE),
                result(jobs.get(2), FailureClass.OUT_OF_MEMORY));

        listener.onWorkerMessages(List.of(message(new BatchMessage(Schema.VERSION, "w1", List.copyOf(claims))),
                message(new BatchMessage(Schema.VERSION, "w1", List.copyOf(results)))));

        assertThat(state(jobs.get(0))).isEqualTo(ExperimentState.SUCCEEDED);
        assertThat(experiments.find(jobs.get(1).experimentId()).orElseThrow().attempt()).as("retried").isEqualTo(2);
        assertThat(state(jobs.get(2))).isEqualTo(ExperimentState.FAILED);
        assertThat(deadLetters.reasons()).hasSize(parked);
        assertThat(queueWaitsRecorded() - queueWaitsBefore).as("each claim's queue wait, from its job's queued time")
                .isEqualTo(3);
    }

    private long queueWaitsRecorded() {
        return meters.find("tunefleet.experiments.queue.wait").timers().stream().mapToLong(t -> t.count()).sum();
    }

    @Test
    void anIncompleteMessageIsParkedAndARedeliveredClaimDoesNotStopItsAttempt() throws Exception {
        List<JobMessage> jobs = jobsOfANewTask();
        JobMessage a = jobs.get(0);
        JobMessage b = jobs.get(1);
        long now = System.currentTimeMillis();
        // Reads as a result, but has no outcome: refused where it is read.
        ResultMessage noOutcome = new ResultMessage(Schema.VERSION, "w1", b.taskId(), b.experimentId(), b.attempt(),
                null, null, null, Map.of(), List.of(0), now, now);

        listener.onWorkerMessages(List.of(message(claim(a)), message(claim(b)), message(noOutcome),
                message(result(a, null))));
        // The same claim again, as after a coordinator crash between commit and ack.
        listener.onWorkerMessages(List.of(message(claim(b))));

        assertThat(state(a)).isEqualTo(ExperimentState.SUCCEEDED);
        assertThat(state(b)).as("its claim committed").isEqualTo(ExperimentState.RUNNING);
        assertThat(deadLetters.reasons()).hasSize(1);
        assertThat(deadLetters.reasons().get(0)).contains("incomplete ResultMessage", "outcome");
        assertThat(control.sent()).as("no abort for the redelivered claim").isEmpty();
    }

    /**
     * A task file stored once and no longer readable (a check added since, say) must not hold up the
     * results of every task: its experiment's retryable failure is final, and the batch commits.
     */
    @Test
    void aRetryableFailureOfATaskWhoseStoredFileNoLongerParsesIsFinalAndTheBatchCommits() throws Exception {
        long taskId = taskStore.insert(TaskSpecParser.parse("""
                {"task_name": "unreadable-later", "model": {"id_or_path": "/models/m"}, "base_runtime": "sim",
                 "parameters": {"tp-size": [1]},
                 "optimization": {"strategy": "grid_search", "max_iterations": 1, "max_parallel_experiments": 1}}
                """)).id(); // stored without the submit's parsed spec, as after a restart
        long id = writer.write(() -> experiments.insertPending(taskId, 1, ParameterSet.of(Map.of("tp-size", 1L)), 1));
        writer.write(() -> experiments.markQueued(id, 1));
        jdbc.sql("UPDATE tasks SET spec_json = '{\"task_name\": 7}' WHERE id = :id").param("id", taskId).update();
        JobMessage job = new JobMessage(Schema.VERSION, taskId, id, 1, 1, "sim", "/models/m", "latest",
                new java.util.TreeMap<>(Map.of("tp-size", 1L)), null, 60);
        JobMessage other = jobsOfANewTask().get(0);

        listener.onWorkerMessages(List.of(message(claim(job)), message(result(job, FailureClass.INFRASTRUCTURE)),
                message(claim(other)), message(result(other, null))));

        assertThat(experiments.find(id).orElseThrow().state()).isEqualTo(ExperimentState.FAILED);
        assertThat(state(other)).as("the task behind it in the batch").isEqualTo(ExperimentState.SUCCEEDED);
    }

    @Test
    void anUnreadableMessageTheDeadLetterQueueWillNotTakeIsDroppedAndItsBatchStillCommits() throws Exception {
        JobMessage a = jobsOfANewTask().get(0);
        int parked = deadLetters.reasons().size();
        deadLetters.refusing(true);
        try {
            listener.onWorkerMessages(List.of(message(claim(a)),
                    new org.springframework.amqp.core.Message("{not json".getBytes()), message(result(a, null))));
        } finally {
            deadLetters.refusing(false);
        }

        assertThat(state(a)).as("the messages around it committed").isEqualTo(ExperimentState.SUCCEEDED);
        assertThat(deadLetters.reasons()).hasSize(parked);
    }

    @Test
    void attemptsCutShortByAStoppedWorkerDoNotUseUpMaxRetriesUpToALimit() throws Exception {
        JobMessage job = jobsOfANewTask(0).get(0); // max_retries 0: no retry for any failure that counts

        for (int stop = 1; stop <= Dispatcher.FREE_RETRIES; stop++) {
            listener.onWorkerMessages(List.of(message(claim(job)), message(result(job, FailureClass.WORKER_STOPPED))));
            job = republished(job);
        }
        assertThat(job.attempt()).as("each stop retried although max_retries is 0").isEqualTo(Dispatcher.FREE_RETRIES + 1);
        assertThat(experiments.attemptsNotCounted(job.experimentId())).isEqualTo(Dispatcher.FREE_RETRIES);
        // One stop more counts like any failure: the experiment ends, it does not loop for ever.
        listener.onWorkerMessages(List.of(message(claim(job)), message(result(job, FailureClass.WORKER_STOPPED))));

        ExperimentRecord ended = experiments.find(job.experimentId()).orElseThrow();
        assertThat(ended.attempt()).isEqualTo(Dispatcher.FREE_RETRIES + 1);
        assertThat(ended.state()).isEqualTo(ExperimentState.FAILED);
        assertThat(ended.failureClass()).isEqualTo(FailureClass.WORKER_STOPPED);
    }

    @Test
    void aFailureThatCountsEndsAnExperimentWhoseOnlyRetriesWereStoppedWorkers() throws Exception {
        JobMessage first = jobsOfANewTask(0).get(0);

        listener.onWorkerMessages(List.of(message(claim(first)), message(result(first, FailureClass.WORKER_STOPPED))));
        JobMessage second = republished(first);
        listener.onWorkerMessages(List.of(message(claim(second)), message(result(second, FailureClass.INFRASTRUCTURE))));

        ExperimentRecord ended = experiments.find(first.experimentId()).orElseThrow();
        assertThat(ended.attempt()).isEqualTo(2);
        assertThat(ended.state()).isEqualTo(ExperimentState.FAILED);
        assertThat(ended.failureClass()).isEqualTo(FailureClass.INFRASTRUCTURE);
    }

    @Test
    void anAttemptWhoseWorkerRestartedSinceItsClaimIsRetriedThoughTheWorkerIsLive() throws Exception {
        JobMessage job = jobsOfANewTask(2).get(0);
        ClaimMessage claim = claim(job);
        listener.onWorkerMessages(List.of(message(claim)));
        // The same process, heard again: nothing changes.
        listener.onHeartbeat(message(heartbeat(claim.claimedAtMs() - 60_000)));
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)) // several dispatch ticks
                .until(() -> experiments.find(job.experimentId()).orElseThrow().state() == ExperimentState.RUNNING);

        // A new process under the same id: the run died with the one before.
        listener.onHeartbeat(message(heartbeat(claim.claimedAtMs() + 1)));

        JobMessage again = republished(job);
        assertThat(again.attempt()).isEqualTo(2);
    }

    private static HeartbeatMessage heartbeat(long processStartedAtMs) {
        return new HeartbeatMessage(Schema.VERSION, "w1", "h1", 8, 7, 0, 1, System.currentTimeMillis(),
                processStartedAtMs, null);
    }

    /** The job of the experiment's next attempt, once the dispatcher published it. */
    private JobMessage republished(JobMessage job) {
        await().atMost(Duration.ofSeconds(20)).until(() -> publisher.published().stream()
                .anyMatch(j -> j.experimentId() == job.experimentId() && j.attempt() == job.attempt() + 1));
        return publisher.published().stream()
                .filter(j -> j.experimentId() == job.experimentId() && j.attempt() == job.attempt() + 1)
                .findFirst().orElseThrow();
    }

    private static ClaimMessage claim(JobMessage job) {
        return AmqpMessages.claim(job, "w1");
    }

    /** w1's result: succeeded (mean latency 1 s) without a failure class, else failed of that class. */
    private static ResultMessage result(JobMessage job, FailureClass failure) {
        long now = System.currentTimeMillis();
        return failure == null ? AmqpMessages.succeeded(job, "w1", 1.0)
                : new ResultMessage(Schema.VERSION, "w1", job.taskId(), job.experimentId(), job.attempt(),
                        ResultMessage.Outcome.FAILED, failure, "simulated " + failure, Map.of(), List.of(0), now, now);
    }

    /** Submits a task of three experiments, all in flight at once, and returns their jobs. */
    private List<JobMessage> jobsOfANewTask() throws Exception {
        return jobsOfANewTask(2);
    }

    /** As {@link #jobsOfANewTask()}, with the task's max_retries. */
    private List<JobMessage> jobsOfANewTask(int maxRetries) throws Exception {
        long taskId = submit(maxRetries);
        await().atMost(Duration.ofSeconds(20)).until(() -> publisher.published().stream()
                .filter(j -> j.taskId() == taskId).count() == 3);
        return publisher.published().stream().filter(j -> j.taskId() == taskId).toList();
    }

    private long submit(int maxRetries) throws Exception {
        String body = """
                {"task_name": "batch", "model": {"id_or_path": "/models/m"}, "base_runtime": "sim",
                 "parameters": {"tp-size": [1], "mem-fraction-static": [0.7, 0.75, 0.8]},
                 "optimization": {"strategy": "grid_search", "objective": "minimize_latency",
                                  "max_iterations": 3, "max_parallel_experiments": 3, "max_retries": %d}}""".formatted(maxRetries);
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/tasks")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return Long.parseLong(response.body().replaceAll("(?s).*\"id\"\\s*:\\s*(\\d+).*", "$1"));
    }
}
