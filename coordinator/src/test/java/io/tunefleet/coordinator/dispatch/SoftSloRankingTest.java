package io.tunefleet.coordinator.dispatch;

import static io.tunefleet.coordinator.dispatch.AmqpMessages.claim;
import static io.tunefleet.coordinator.dispatch.AmqpMessages.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunefleet.common.experiment.ExperimentState;
import io.tunefleet.common.message.JobMessage;
import io.tunefleet.common.message.ResultMessage;
import io.tunefleet.common.message.Schema;
import io.tunefleet.common.scoring.Metrics;
import io.tunefleet.coordinator.CoordinatorApplication;
import io.tunefleet.coordinator.store.ExperimentRecord;
import io.tunefleet.coordinator.store.TaskRecord;
import io.tunefleet.coordinator.task.TaskService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

/**
 * A task ranks its results by their score, the objective's metric made worse by the soft SLO
 * penalties the run ran into: a configuration that breaks a soft bound loses to a slightly slower one
 * that keeps it, in {@code /best} and in what the search strategy is told.
 */
@SpringBootTest(classes = CoordinatorApplication.class, properties = {
        "spring.config.name=" + CoordinatorApplication.CONFIG_NAME,
        "tunefleet.coordinator.dispatch-tick=100ms"})
@Import(NoBrokerConfiguration.class)
class SoftSloRankingTest extends NoBrokerDispatchTest {

    @Autowired
    TaskService tasks;

    @Test
    void aResultThatBrokeASoftBoundRanksByItsScoreNotItsBareMetric() {
        TaskRecord task = tasks.submit("""
                {"task_name": "soft-slo", "model": {"id_or_path": "/models/m"}, "base_runtime": "sim",
                 "parameters": {"mem-fraction-static": [0.7, 0.8]},
                 "optimization": {"strategy": "grid_search", "objective": "minimize_latency",
                                  "max_iterations": 2, "max_parallel_experiments": 2},
                 "slo": {"latency": {"p90": {"threshold": 2.0, "weight": 1.0}}}}""");
        await().atMost(Duration.ofSeconds(20)).until(() -> jobsOf(task.id()).size() == 2);
        JobMessage fastButOverItsBound = jobsOf(task.id()).get(0);
        JobMessage slowerWithinIt = jobsOf(task.id()).get(1);

        // Mean 1.0 s but p90 3.0 s, 50 % over 2.0 s: multiplier 1 + exp(0.5 / 0.1) = 149.4.
        listener.onWorkerMessages(List.of(message(claim(fastButOverItsBound, "w1")),
                message(succeeded(fastButOverItsBound, 1.0, 149.4 * 1.0, 149.4)),
                message(claim(slowerWithinIt, "w1")),
                message(succeeded(slowerWithinIt, 1.2, 1.2, 1.0))));

        await().atMost(Duration.ofSeconds(20)).until(() -> state(slowerWithinIt) == ExperimentState.SUCCEEDED);
        ExperimentRecord best = tasks.best(tasks.find(task.id()).orElseThrow()).orElseThrow();
        assertThat(best.id()).isEqualTo(slowerWithinIt.experimentId());
        assertThat(best.objectiveValue()).isEqualTo(1.2);
        ExperimentRecord penalized = experiments.find(fastButOverItsBound.experimentId()).orElseThrow();
        assertThat(penalized.objectiveValue()).isEqualTo(149.4);
        assertThat(penalized.metrics()).as("the bare metric stays in the metrics").containsEntry(Metrics.E2E_MEAN_S, 1.0);
        assertThat(tasks.whyBest(tasks.find(task.id()).orElseThrow(), best)).contains(
                "lowest score (e2e_latency_mean_s after SLO penalties) (1.2) among 2",
                "runner-up #" + penalized.seq() + " at 149.4 (e2e_latency_mean_s 1.0 × SLO penalty 149.4)");
    }

    private List<JobMessage> jobsOf(long taskId) {
        return publisher.published().stream().filter(j -> j.taskId() == taskId).toList();
    }

    private static ResultMessage succeeded(JobMessage job, double latencyS, double score, double penalty) {
        long now = System.currentTimeMillis();
        return new ResultMessage(Schema.VERSION, "w1", job.taskId(), job.experimentId(), job.attempt(),
                ResultMessage.Outcome.SUCCEEDED, null, null, Map.of(Metrics.E2E_MEAN_S, latencyS,
                Metrics.SCORE, score, Metrics.SLO_PENALTY, penalty), List.of(0), now, now);
    }
}
