package io.tunefleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunefleet.common.experiment.TaskStatus;
import io.tunefleet.coordinator.fleet.FleetView;
import io.tunefleet.coordinator.store.ExperimentRecord;
import io.tunefleet.coordinator.store.ExperimentStore;
import io.tunefleet.coordinator.store.TaskStore;
import java.io.IOException;
import java.net.URI;
import io.tunefleet.launcher.fleetbench.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A fleet for fault tests: the coordinator in this JVM (so it can be stopped and started again on
 * the same database) and each worker a real process of its own (so it can be killed with SIGKILL).
 */
final class ChaosFleet implements AutoCloseable {

    static final Map<String, String> COORDINATOR = Map.of(
            "tunefleet.coordinator.dispatch-tick", "200ms",
            "tunefleet.coordinator.worker-timeout", "3s",
            "tunefleet.coordinator.result-grace", "20s");

    private final URI broker;
    private final Path dir;
    private final Path locks;
    private final Map<String, ServiceProcess> workers = new LinkedHashMap<>();
    private final List<ServiceProcess> allProcesses = new ArrayList<>();
    private ConfigurableApplicationContext coordinator;

    ChaosFleet(URI broker, Path dir) throws IOException {
        this.broker = broker;
        this.dir = dir;
        this.locks = Files.createDirectories(dir.resolve("locks"));
        TestBroker.purge(broker);
        startCoordinator();
    }

    void startCoordinator() {
        coordinator = Stack.startCoordinator(new Stack.Options(0, dir.resolve("tunefleet.db"), broker, 0, 0,
                Duration.ZERO, COORDINATOR), broker);
    }

    void stopCoordinator() {
        coordinator.close();
        coordinator = null;
    }

    /** Starts a worker process and waits until the coordinator hears its heartbeat. */
    ServiceProcess startWorker(String id, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("worker",
                "--id", id, "--rabbitmq", broker.toString(), "--port", "0", "--lock-dir", locks.toString(),
                "--runtime-mode", "hold", "--sim-run-time", "300ms", "--heartbeat-interval", "500ms",
                "--poll-interval", "50ms", "--clean-grace", "1s"));
        if (!List.of(extra).contains("--gpus")) {
            args.addAll(List.of("--gpus", "sim:4"));
        }
        args.addAll(List.of(extra));
        ServiceProcess process = ServiceProcess.start(
                Path.of("target", "chaos-logs").resolve(id + "-" + System.nanoTime() + ".log"),
                List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"), args);
        workers.put(id, process);
        allProcesses.add(process);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> !process.isAlive() || fleet().isLive(id));
        assertThat(process.isAlive()).as("worker %s started; its log is %s", id, process.log()).isTrue();
        return process;
    }

    /** SIGKILL: no shutdown hook, no goodbye. */
    void kill(String id) throws InterruptedException {
        workers.remove(id).kill();
    }

    long submit(String json) {
        return ((Number) new ApiClient(baseUrl()).submit(json).get("id")).longValue();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + ((org.springframework.boot.web.server.context.WebServerApplicationContext) coordinator)
                .getWebServer().getPort();
    }

    ConfigurableApplicationContext coordinator() {
        return coordinator;
    }

    FleetView fleet() {
        return coordinator.getBean(FleetView.class);
    }

    TaskStatus status(long task) {
        return coordinator.getBean(TaskStore.class).find(task).orElseThrow().status();
    }

    List<ExperimentRecord> experiments(long task) {
        return coordinator.getBean(ExperimentStore.class).byTask(task);
    }

    long count(long task, String state) {
        return experiments(task).stream().filter(e -> e.state().name().equals(state)).count();
    }

    void awaitEnd(long task, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() -> status(task).isTerminal());
    }

    /** Attempts of the task's experiments that ended SUCCEEDED, by experiment id, where more than one did. */
    Map<Long, Integer> doubleSuccesses(long task) {
        Map<Long, Integer> doubled = new HashMap<>();
        coordinator.getBean(JdbcClient.class).sql("""
                        SELECT a.experiment_id AS id, COUNT(*) AS n FROM attempts a JOIN experiments e ON e.id = a.experiment_id
                        WHERE e.task_id = :task AND a.outcome = 'SUCCEEDED' GROUP BY a.experiment_id HAVING COUNT(*) > 1""")
                .param("task", task)
                .query((rs, row) -> doubled.put(rs.getLong("id"), rs.getInt("n"))).list();
        return doubled;
    }

    int attempts(long task) {
        return coordinator.getBean(JdbcClient.class).sql(
                        "SELECT COUNT(*) FROM attempts a JOIN experiments e ON e.id = a.experiment_id WHERE e.task_id = :task")
                .param("task", task).query(Integer.class).single();
    }

    /**
     * Waits until every live worker reports all its GPUs free and nothing running, and returns the
     * GPUs still reserved or quarantined (0 when nothing leaked).
     */
    int leakedGpus(Duration atMost) {
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() -> busyGpus() == 0);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return busyGpus();
        }
        return 0;
    }

    private int busyGpus() {
        return fleet().live().stream()
                .filter(w -> workers.containsKey(w.heartbeat().workerId()))
                .mapToInt(w -> w.heartbeat().gpusTotal() - w.heartbeat().gpusFree() + w.heartbeat().running())
                .sum();
    }

    /** Messages ready in a queue of the broker. */
    int queueDepth(String queue) {
        org.springframework.amqp.rabbit.connection.CachingConnectionFactory connections =
                new org.springframework.amqp.rabbit.connection.CachingConnectionFactory(broker);
        try {
            var info = new org.springframework.amqp.rabbit.core.RabbitAdmin(connections).getQueueInfo(queue);
            return info == null ? 0 : (int) info.getMessageCount();
        } finally {
            connections.destroy();
        }
    }


    @Override
    public void close() throws InterruptedException {
        for (ServiceProcess p : allProcesses) {
            p.close();
        }
        if (coordinator != null) {
            coordinator.close();
        }
        assertThat(allProcesses).as("no worker process left behind").noneMatch(ServiceProcess::isAlive);
    }
}
