package io.tunefleet.coordinator.dispatch;

import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.tunefleet.common.experiment.TaskStatus;
import io.tunefleet.common.task.TaskSpecParser;
import io.tunefleet.coordinator.CoordinatorApplication;
import io.tunefleet.coordinator.store.TaskStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

/**
 * A task left PENDING (its first dispatch pass failed, say on a store write that kept failing, or
 * never ran) is not left there until the coordinator restarts: the dispatcher's tick takes it up,
 * and a tick that failed does not end the ticks after it.
 */
@SpringBootTest(classes = CoordinatorApplication.class, properties = {
        "spring.config.name=" + CoordinatorApplication.CONFIG_NAME,
        "tunefleet.coordinator.dispatch-tick=100ms",
        "spring.datasource.hikari.connection-timeout=250"})
@Import(NoBrokerConfiguration.class)
class PendingTaskTickTest extends NoBrokerDispatchTest {

    @Autowired
    TaskStore tasks;
    @Autowired
    DataSource dataSource;
    @Autowired
    MeterRegistry meters;

    @Test
    void aTaskStoredPendingWithoutAPassIsDispatchedOnTheTick() {
        // Stored as a submit stores it, without the wake-up a submit gives the dispatcher.
        long id = tasks.insert(TaskSpecParser.parse("""
                {"task_name": "left-pending", "model": {"id_or_path": "/models/m"}, "base_runtime": "sim",
                 "parameters": {"tp-size": [1]},
                 "optimization": {"strategy": "grid_search", "max_iterations": 1, "max_parallel_experiments": 1}}
                """)).id();

        awaitDispatched(id);
    }

    @Test
    void aTickThatCouldNotReadTheTasksDoesNotEndTheTicksAfterIt() throws SQLException {
        // Every pooled connection busy for longer than the pool waits: the tick's first read fails.
        List<Connection> held = new ArrayList<>();
        try {
            double timeoutsBefore = connectionTimeouts();
            while (true) {
                try {
                    held.add(dataSource.getConnection());
                } catch (SQLException poolEmpty) {
                    break;
                }
            }
            double mine = connectionTimeouts() - timeoutsBefore;
            await().atMost(Duration.ofSeconds(10)).until(() -> connectionTimeouts() - timeoutsBefore > mine);
        } finally {
            for (Connection c : held) {
                c.close();
            }
        }

        aTaskStoredPendingWithoutAPassIsDispatchedOnTheTick();
    }

    /** Accepted before a check that now refuses it (a parameter the worker sets), it runs on as accepted. */
    @Test
    void aTaskStoredBeforeAStricterCheckIsDispatchedAsItWasAccepted() {
        long id = tasks.insert(TaskSpecParser.parseStored("""
                {"task_name": "stored-before", "model": {"id_or_path": "/models/m"}, "base_runtime": "sim",
                 "parameters": {"tp-size": [1], "port": [31000]},
                 "optimization": {"strategy": "grid_search", "max_iterations": 1, "max_parallel_experiments": 1}}
                """)).id();

        awaitDispatched(id);
    }

    private void awaitDispatched(long id) {
        await().atMost(Duration.ofSeconds(20)).until(() -> tasks.find(id).orElseThrow().status() == TaskStatus.RUNNING);
        await().atMost(Duration.ofSeconds(20)).until(() -> publisher.published().stream().anyMatch(j -> j.taskId() == id));
    }

    private double connectionTimeouts() {
        return meters.find("hikaricp.connections.timeout").counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
