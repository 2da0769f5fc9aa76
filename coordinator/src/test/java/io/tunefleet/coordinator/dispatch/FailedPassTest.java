package io.tunefleet.coordinator.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunefleet.common.experiment.TaskStatus;
import io.tunefleet.coordinator.CoordinatorApplication;
import io.tunefleet.coordinator.store.StoreWriter;
import io.tunefleet.coordinator.store.TaskStore;
import io.tunefleet.coordinator.task.TaskService;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A dispatch pass whose write of its new suggestions fails (the disk full, say) loses none of them:
 * the strategy had taken them as made, so it is rebuilt from the database and makes them again.
 */
@SpringBootTest(classes = CoordinatorApplication.class, properties = {
        "spring.config.name=" + CoordinatorApplication.CONFIG_NAME,
        "tunefleet.coordinator.dispatch-tick=100ms"})
@Import(NoBrokerConfiguration.class)
class FailedPassTest extends NoBrokerDispatchTest {

    @Autowired
    TaskService service;
    @Autowired
    TaskStore tasks;
    @Autowired
    StoreWriter writer;
    @Autowired
    JdbcClient jdbc;

    @Test
    void theSuggestionsOfAPassWhoseWriteFailedAreMadeAgain() {
        writer.run(() -> jdbc.sql("""
                CREATE TRIGGER no_new_experiments BEFORE INSERT ON experiments
                BEGIN SELECT RAISE(ABORT, 'database or disk is full (test)'); END""").update());
        long id;
        try {
            id = service.submit("""
                    {"task_name": "failed-pass", "model": {"id_or_path": "/models/m"}, "base_runtime": "sim",
                     "parameters": {"mem-fraction-static": [0.7, 0.75, 0.8]},
                     "optimization": {"strategy": "grid_search", "max_iterations": 3, "max_parallel_experiments": 3}}
                    """).id();
            long task = id;
            await().atMost(Duration.ofSeconds(20)).until(() -> tasks.find(task).orElseThrow().status() == TaskStatus.RUNNING);
            // Several ticks, each pass failing to store the three suggestions.
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                    .until(() -> experiments.byTask(task).isEmpty());
        } finally {
            writer.run(() -> jdbc.sql("DROP TRIGGER no_new_experiments").update());
        }
        long task = id;

        await().atMost(Duration.ofSeconds(20)).until(() -> publisher.published().stream()
                .filter(j -> j.taskId() == task).count() == 3);
        assertThat(tasks.find(task).orElseThrow().status()).as("not ended as exhausted").isEqualTo(TaskStatus.RUNNING);
        assertThat(experiments.byTask(task)).extracting(e -> e.parameters().get("mem-fraction-static"))
                .containsExactlyInAnyOrder(0.7, 0.75, 0.8);
    }
}
