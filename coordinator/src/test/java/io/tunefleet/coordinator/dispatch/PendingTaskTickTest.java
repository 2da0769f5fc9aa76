package io.tunefleet.coordinator.dispatch;

import static org.awaitility.Awaitility.await;
import static org.mockito.Mockito.doCallRealMethod;
import static org.mockito.Mockito.doThrow;

import io.tunefleet.common.experiment.TaskStatus;
import io.tunefleet.common.task.TaskSpecParser;
import io.tunefleet.coordinator.CoordinatorApplication;
import io.tunefleet.coordinator.store.TaskStore;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;

/**
 * A task left PENDING (its first dispatch pass failed, say on a store write that kept failing, or
 * never ran) is not left there until the coordinator restarts: the dispatcher's tick takes it up,
 * and a tick that failed does not end the ticks after it.
 */
@SpringBootTest(classes = CoordinatorApplication.class, properties = {
        "spring.config.name=" + CoordinatorApplication.CONFIG_NAME,
        "tunefleet.coordinator.dispatch-tick=100ms"})
@Import(NoBrokerConfiguration.class)
class PendingTaskTickTest extends NoBrokerDispatchTest {

    @MockitoSpyBean
    TaskStore tasks;

    @Test
    void aTaskStoredPendingWithoutAPassIsDispatchedOnTheTick() {
        // Stored as a submit stores it, without the wake-up a submit gives the dispatcher.
        long id = tasks.insert(TaskSpecParser.parse("""
                {"task_name": "left-pending", "model": {"id_or_path": "/models/m"}, "base_runtime": "sim",
                 "parameters": {"tp-size": [1]},
                 "optimization": {"strategy": "grid_search", "max_iterations": 1, "max_parallel_experiments": 1}}
                """)).id();

        await().atMost(Duration.ofSeconds(20)).until(() -> tasks.find(id).orElseThrow().status() == TaskStatus.RUNNING);
        await().atMost(Duration.ofSeconds(20)).until(() -> publisher.published().stream().anyMatch(j -> j.taskId() == id));
    }

    @Test
    void aTickThatCouldNotReadTheTasksDoesNotEndTheTicksAfterIt() {
        // As when every pooled connection is busy for longer than the pool waits.
        doThrow(new CannotGetJdbcConnectionException("no connection within 30 s")).doCallRealMethod()
                .when(tasks).withStatus(TaskStatus.PENDING, TaskStatus.RUNNING);

        aTaskStoredPendingWithoutAPassIsDispatchedOnTheTick();
    }
}
