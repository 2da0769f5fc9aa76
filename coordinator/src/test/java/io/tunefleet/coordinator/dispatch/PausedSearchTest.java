package io.tunefleet.coordinator.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunefleet.common.experiment.TaskStatus;
import io.tunefleet.coordinator.CoordinatorApplication;
import io.tunefleet.coordinator.store.TaskStore;
import io.tunefleet.coordinator.task.TaskService;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

/**
 * A search that found nothing within one pass's bounded work (constraints that rule out long runs of
 * a huge grid) is asked again on the next pass, not ended as exhausted.
 */
@SpringBootTest(classes = CoordinatorApplication.class, properties = {
        "spring.config.name=" + CoordinatorApplication.CONFIG_NAME,
        "tunefleet.coordinator.dispatch-tick=100ms"})
@Import(NoBrokerConfiguration.class)
class PausedSearchTest extends NoBrokerDispatchTest {

    @Autowired
    TaskService service;
    @Autowired
    TaskStore tasks;

    @Test
    void aGridWhoseFirstAllowedPointLiesPastOnePassesBudgetIsFoundOnALaterPass() {
        // x, y, z together: 1e9 combinations, too many to work out; y = 300 first comes after 299,000.
        long id = service.submit("""
                {"task_name": "paused", "model": {"id_or_path": "/models/m"}, "base_runtime": "sim",
                 "parameters": {"x": {"type": "integer", "low": 1, "high": 1000, "grid_points": 1000},
                                "y": {"type": "integer", "low": 1, "high": 1000, "grid_points": 1000},
                                "z": {"type": "integer", "low": 1, "high": 1000, "grid_points": 1000}},
                 "constraints": ["y == 300 and x + z > 0"],
                 "optimization": {"strategy": "grid_search", "max_iterations": 1, "max_parallel_experiments": 1}}
                """).id();

        await().atMost(Duration.ofSeconds(30)).until(() -> publisher.published().stream().anyMatch(j -> j.taskId() == id));
        assertThat(publisher.published().stream().filter(j -> j.taskId() == id).findFirst().orElseThrow().parameters())
                .containsEntry("y", 300);
        assertThat(tasks.find(id).orElseThrow().status()).isEqualTo(TaskStatus.RUNNING);
    }
}
