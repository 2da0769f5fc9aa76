package io.tunefleet.coordinator.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunefleet.common.experiment.TaskStatus;
import io.tunefleet.common.message.ClaimMessage;
import io.tunefleet.common.message.JobMessage;
import io.tunefleet.common.message.MessageCodec;
import io.tunefleet.common.message.ResultMessage;
import io.tunefleet.common.message.Schema;
import io.tunefleet.coordinator.CoordinatorApplication;
import io.tunefleet.coordinator.CoordinatorTestProperties;
import io.tunefleet.coordinator.dispatch.NoBrokerConfiguration.RecordingJobPublisher;
import io.tunefleet.coordinator.store.ExperimentStore;
import io.tunefleet.coordinator.task.TaskService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** A task's stopping rule, checked by the dispatcher on each pass from what the store holds. */
@SpringBootTest(classes = CoordinatorApplication.class, properties = {
        "spring.config.name=" + CoordinatorApplication.CONFIG_NAME,
        "tunefleet.coordinator.dispatch-tick=100ms"})
@Import(NoBrokerConfiguration.class)
class StoppingRulesDispatchTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        CoordinatorTestProperties.register(registry, "stopping");
    }

    @Autowired
    TaskService tasks;
    @Autowired
    RecordingJobPublisher publisher;
    @Autowired
    ExperimentStore experiments;
    @Autowired
    WorkerMessageListener listener;

    @Test
    void patienceEndsTheSearchOnceThatManyExperimentsBroughtNoImprovement() {
        long task = tasks.submit("""
                {"task_name": "patient", "model": {"id_or_path": "/models/m"}, "base_runtime": "sim",
                 "parameters": {"mem-fraction-static": [0.6, 0.65, 0.7, 0.75, 0.8, 0.85]},
                 "optimization": {"strategy": "grid_search", "objective": "minimize_latency", "max_iterations": 6,
                                  "max_parallel_experiments": 1,
                                  "patience": {"experiments": 2, "min_improvement_pct": 1}}}""").id();

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

    private List<JobMessage> jobs(long task) {
        return publisher.published().stream().filter(j -> j.taskId() == task).toList();
    }

    private void finish(JobMessage job, double latency) {
        long now = System.currentTimeMillis();
        listener.onWorkerMessages(List.of(
                message(new ClaimMessage(Schema.VERSION, "w1", "h1", job.taskId(), job.experimentId(), job.attempt(),
                        List.of(0), now)),
                message(new ResultMessage(Schema.VERSION, "w1", job.taskId(), job.experimentId(), job.attempt(),
                        ResultMessage.Outcome.SUCCEEDED, null, null, Map.of("e2e_latency_mean_s", latency), List.of(0),
                        now, now + 1))));
    }

    private static Message message(Object body) {
        return new Message(MessageCodec.encode(body), new MessageProperties());
    }
}
