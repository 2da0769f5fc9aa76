package io.tunefleet.coordinator.dispatch;

import static io.tunefleet.coordinator.dispatch.AmqpMessages.claim;
import static io.tunefleet.coordinator.dispatch.AmqpMessages.message;
import static io.tunefleet.coordinator.dispatch.AmqpMessages.succeeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunefleet.common.experiment.ExperimentState;
import io.tunefleet.common.experiment.FailureClass;
import io.tunefleet.common.experiment.TaskStatus;
import io.tunefleet.common.message.HeartbeatMessage;
import io.tunefleet.common.message.JobMessage;
import io.tunefleet.common.message.Schema;
import io.tunefleet.common.param.ParameterSet;
import io.tunefleet.coordinator.CoordinatorApplication;
import io.tunefleet.coordinator.fleet.FleetView;
import io.tunefleet.coordinator.strategy.Outcome;
import io.tunefleet.coordinator.strategy.Strategies;
import io.tunefleet.coordinator.strategy.Strategy;
import io.tunefleet.coordinator.strategy.StrategyFactory;
import io.tunefleet.coordinator.task.TaskService;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;

/**
 * What the coordinator ends itself, without a worker's result. Experiments timed out, unschedulable,
 * or no longer held by their worker are told to the search strategy as a worker's result would be (a
 * strategy that never heard of them would count them pending for ever and never learn that a region
 * cannot run); a task's stopping rule ends the search.
 */
@SpringBootTest(classes = CoordinatorApplication.class, properties = {
        "spring.config.name=" + CoordinatorApplication.CONFIG_NAME,
        "tunefleet.coordinator.dispatch-tick=100ms",
        "tunefleet.coordinator.unschedulable-after=200ms",
        "tunefleet.coordinator.result-grace=100ms",
        "tunefleet.coordinator.worker-timeout=2s"})
@Import({NoBrokerConfiguration.class, CoordinatorDecidedEndingsTest.RecordingStrategies.class})
class CoordinatorDecidedEndingsTest extends NoBrokerDispatchTest {

    @Autowired
    TaskService tasks;
    @Autowired
    FleetView fleet;
    @Autowired
    RecordingStrategies strategies;
    @Autowired
    Dispatcher dispatcher;

    @Test
    void anAttemptTimedOutByTheCoordinatorIsToldToTheStrategy() {
        long task = submit("timeout", "\"tp-size\": [1]");
        JobMessage job = await().atMost(Duration.ofSeconds(20)).until(() -> jobOf(task), Optional::isPresent).get();
        ScheduledExecutorService heartbeats = heartbeating("w1", () -> null); // live, says nothing more
        try {
            listener.onWorkerMessages(List.of(message(claim(job, "w1"))));
            // timeout_per_iteration 1 s + result grace 100 ms, and no result comes.
            await().atMost(Duration.ofSeconds(20)).until(() -> state(job) == ExperimentState.TIMED_OUT);
            await().atMost(Duration.ofSeconds(5)).until(() -> strategies.told("timeout").contains(FailureClass.STARTUP_TIMEOUT));
        } finally {
            heartbeats.shutdownNow();
        }
    }

    @Test
    void noAttemptTimesOutWhileTheBrokerIsAwaySoTheResultItsWorkerHeldCounts() {
        long task = submit("outage", "\"tp-size\": [1]");
        JobMessage job = await().atMost(Duration.ofSeconds(20)).until(() -> jobOf(task), Optional::isPresent).get();
        ScheduledExecutorService heartbeats = heartbeating("w3", () -> null);
        try {
            listener.onWorkerMessages(List.of(message(claim(job, "w3"))));
            fleet.deaf(); // the heartbeat consumer failed: the broker is away, results wait in the workers
            // Well past timeout_per_iteration 1 s + result grace 100 ms.
            await().during(Duration.ofMillis(2_500)).atMost(Duration.ofSeconds(10))
                    .until(() -> state(job) == ExperimentState.RUNNING);
            fleet.listening(); // back: the result that waited in the worker's outbox arrives
            listener.onWorkerMessages(List.of(message(succeeded(job, "w3", 0.05))));
            assertThat(state(job)).isEqualTo(ExperimentState.SUCCEEDED);
        } finally {
            fleet.listening();
            heartbeats.shutdownNow();
        }
    }

    @Test
    void anExperimentNoWorkerCanRunIsToldToTheStrategyAsUnschedulable() {
        listener.onHeartbeat(message(new HeartbeatMessage(Schema.VERSION, "w8", "h8", 8, 8, 0, 0,
                System.currentTimeMillis())));
        long task = submit("too-big", "\"tp-size\": [16]");
        JobMessage job = await().atMost(Duration.ofSeconds(20)).until(() -> jobOf(task), Optional::isPresent).get();

        await().atMost(Duration.ofSeconds(20)).until(() -> state(job) == ExperimentState.FAILED);
        assertThat(experiments.find(job.experimentId()).orElseThrow().failureClass())
                .isEqualTo(FailureClass.UNSCHEDULABLE);
        await().atMost(Duration.ofSeconds(5)).until(() -> strategies.told("too-big").contains(FailureClass.UNSCHEDULABLE));
    }

    /**
     * Not before every live worker can have been heard: after a (re)start or a broker outage the
     * first worker heard may be a small one, and a big one's jobs would be failed before it spoke.
     */
    @Test
    void noExperimentIsUnschedulableUntilHeartbeatsWereConsumedForAWorkerTimeout() {
        fleet.deaf(); // as while the heartbeat consumer is down
        ScheduledExecutorService heartbeats = null;
        JobMessage job;
        try {
            heartbeats = heartbeating("w-small", () -> null); // 8 GPUs, heard
            long task = submit("not-yet", "\"tp-size\": [16]");
            job = await().atMost(Duration.ofSeconds(20)).until(() -> jobOf(task), Optional::isPresent).get();
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)) // unschedulable-after is 200 ms
                    .until(() -> state(job) == ExperimentState.QUEUED);
        } finally {
            fleet.listening();
        }
        try {
            // Listening again: a worker timeout (2 s) later the largest worker heard is known.
            await().atMost(Duration.ofSeconds(20)).until(() -> state(job) == ExperimentState.FAILED);
            assertThat(experiments.find(job.experimentId()).orElseThrow().failureClass())
                    .isEqualTo(FailureClass.UNSCHEDULABLE);
        } finally {
            heartbeats.shutdownNow();
        }
    }

    @Test
    void anAttemptItsWorkerNoLongerHoldsEndsOnceItsHeartbeatsLeaveItOutForAWorkerTimeout() throws Exception {
        long task = submit("unheld", "\"tp-size\": [1]", 600);
        JobMessage job = await().atMost(Duration.ofSeconds(20)).until(() -> jobOf(task), Optional::isPresent).get();
        AtomicReference<List<String>> held = new AtomicReference<>(List.of(job.attemptKey()));
        ScheduledExecutorService heartbeats = heartbeating("w2", held::get);
        try {
            listener.onWorkerMessages(List.of(message(claim(job, "w2"))));
            // Listed in every heartbeat: it runs, whatever the time.
            await().during(Duration.ofMillis(Dispatcher.HELD_AFTER_CLAIM_MS + 1_500)).atMost(Duration.ofSeconds(10))
                    .until(() -> state(job) == ExperimentState.RUNNING);

            held.set(List.of()); // as when the claim's confirm timed out and the worker put the job back

            await().atMost(Duration.ofSeconds(10)).until(() -> state(job) == ExperimentState.FAILED);
            assertThat(experiments.find(job.experimentId()).orElseThrow().error()).contains("no longer holds it");
            await().atMost(Duration.ofSeconds(5)).until(() -> strategies.told("unheld").contains(FailureClass.INFRASTRUCTURE));
        } finally {
            heartbeats.shutdownNow();
        }
    }

    @Test
    void patienceEndsTheSearchOnceThatManyExperimentsBroughtNoImprovement() {
        long task = patientTask("patient", 1, 2);

        // One at a time: the best first, then two that do no better.
        for (int n = 1; n <= 3; n++) {
            int done = n - 1;
            JobMessage job = await().atMost(Duration.ofSeconds(20))
                    .until(() -> jobs(task).stream().skip(done).findFirst(), Optional::isPresent).get();
            finish(job, n == 1 ? 1.0 : 1.2);
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> tasks.find(task).orElseThrow().status().isTerminal());
        assertThat(tasks.find(task).orElseThrow().status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(tasks.find(task).orElseThrow().stopReason()).contains("patience");
        assertThat(experiments.byTask(task)).as("no fourth suggestion").hasSize(3);
    }

    @Test
    void aStoppingRuleThatFiredHoldsForTheTaskRebuiltAfterARestart() {
        long task = patientTask("patient-restart", 2, 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> jobs(task).size() == 2);
        finish(jobs(task).get(0), 1.0);
        await().atMost(Duration.ofSeconds(20)).until(() -> jobs(task).size() == 3);
        finish(jobs(task).get(1), 1.2); // no improvement: patience fires, the third still runs
        await().atMost(Duration.ofSeconds(20)).until(() -> tasks.find(task).orElseThrow().stopReason() != null);

        // As after a restart: the task's run is rebuilt from the database.
        dispatcher.onDispatcherThread(() -> {
            dispatcher.forget(task);
            return null;
        });
        finish(jobs(task).get(2), 0.5); // would restart the patience count

        await().atMost(Duration.ofSeconds(20)).until(() -> tasks.find(task).orElseThrow().status().isTerminal());
        assertThat(tasks.find(task).orElseThrow().stopReason()).contains("patience");
        assertThat(experiments.byTask(task)).as("no fourth suggestion").hasSize(3);
    }

    private List<JobMessage> jobs(long task) {
        return publisher.published().stream().filter(j -> j.taskId() == task).toList();
    }

    private void finish(JobMessage job, double latency) {
        listener.onWorkerMessages(List.of(message(claim(job, "w1")), message(succeeded(job, "w1", latency))));
    }

    /**
     * Heartbeats of {@code worker} every 200 ms, from a process started a second ago, holding
     * {@code held}; returns once the coordinator has heard the first, as a real worker's comes
     * before its first claim.
     */
    private ScheduledExecutorService heartbeating(String worker, Supplier<List<String>> held) {
        long processStartedAt = System.currentTimeMillis() - 1_000;
        ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor();
        heartbeats.scheduleAtFixedRate(() -> listener.onHeartbeat(message(new HeartbeatMessage(Schema.VERSION,
                worker, "host", 8, 7, 0, 1, System.currentTimeMillis(), processStartedAt, held.get()))),
                0, 200, TimeUnit.MILLISECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> fleet.isLive(worker));
        return heartbeats;
    }

    /** Six configurations, {@code parallel} at a time, stopped after {@code patience} that bring no 1 % gain. */
    private long patientTask(String name, int parallel, int patience) {
        return tasks.submit("""
                {"task_name": "%s", "model": {"id_or_path": "/models/m"}, "base_runtime": "sim",
                 "parameters": {"mem-fraction-static": [0.6, 0.65, 0.7, 0.75, 0.8, 0.85]},
                 "optimization": {"strategy": "grid_search", "objective": "minimize_latency", "max_iterations": 6,
                                  "max_parallel_experiments": %d,
                                  "patience": {"experiments": %d, "min_improvement_pct": 1}}}"""
                .formatted(name, parallel, patience)).id();
    }

    private long submit(String name, String parameters) {
        return submit(name, parameters, 1);
    }

    /** One experiment, one at a time, no retries, {@code timeoutS} to produce a result. */
    private long submit(String name, String parameters, int timeoutS) {
        return tasks.submit("""
                {"task_name": "%s", "model": {"id_or_path": "/models/m"}, "base_runtime": "sim",
                 "parameters": {%s},
                 "optimization": {"strategy": "grid_search", "max_iterations": 1, "max_parallel_experiments": 1,
                                  "timeout_per_iteration": %d, "max_retries": 0}}""".formatted(name, parameters, timeoutS))
                .id();
    }

    private Optional<JobMessage> jobOf(long task) {
        return publisher.published().stream().filter(j -> j.taskId() == task).findFirst();
    }

    /** The strategies the coordinator makes, each telling this what it was told, by task name. */
    @TestConfiguration(proxyBeanMethods = false)
    static class RecordingStrategies {

        private final List<Told> told = new CopyOnWriteArrayList<>();

        record Told(String taskName, Outcome outcome) {
        }

        @Bean
        @Primary
        StrategyFactory recordingStrategyFactory() {
            return (spec, suggested) -> {
                Strategy strategy = Strategies.create(spec, suggested);
                return new Strategy() {
                    @Override
                    public Optional<ParameterSet> suggest() {
                        return strategy.suggest();
                    }

                    @Override
                    public Optional<String> ended() {
                        return strategy.ended();
                    }

                    @Override
                    public void observe(ParameterSet parameters, Outcome outcome) {
                        told.add(new Told(spec.name(), outcome));
                        strategy.observe(parameters, outcome);
                    }
                };
            };
        }

        /** The failure classes the strategy of the task of this name was told of. */
        List<FailureClass> told(String taskName) {
            return told.stream().filter(t -> t.taskName().equals(taskName)).map(t -> t.outcome().failure()).toList();
        }
    }
}
