package io.tunefleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunefleet.common.experiment.ExperimentState;
import io.tunefleet.common.experiment.FailureClass;
import io.tunefleet.common.experiment.TaskStatus;
import io.tunefleet.common.message.Topology;
import io.tunefleet.coordinator.store.ExperimentRecord;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Fault scenarios on real RabbitMQ, real worker processes and a real SQLite file. Each runs a task
 * of 32 experiments, 6 at a time, and ends by checking that nothing was lost, doubled or leaked.
 * The figures go to {@code target/chaos-report.md}.
 */
@Tag("chaos")
class ChaosTest {

    static final int EXPERIMENTS = 32;
    static final String PARAMETERS = """
            "tp-size": [1, 2], "mem-fraction-static": [0.7, 0.75, 0.8, 0.85],
            "schedule-policy": ["fcfs", "lpm"], "chunked-prefill-size": [2048, 4096]""";
    private static final List<String> REPORT = new ArrayList<>();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;
    private URI broker;
    private ChaosFleet fleet;
    private String scenario;

    /**
     * The scenarios break things on purpose, and the coordinator's background threads (a connection
     * factory confirming a channel while the broker is down, say) may throw where nobody catches:
     * what counts is what was stored. Awaitility would otherwise fail any wait on such an exception.
     */
    @BeforeAll
    static void backgroundFailuresAreExpected() {
        Awaitility.doNotCatchUncaughtExceptionsByDefault();
    }

    @AfterAll
    static void resetAwaitility() {
        Awaitility.reset();
    }

    @BeforeEach
    void start(TestInfo info) throws IOException {
        scenario = info.getTestMethod().orElseThrow().getName();
        broker = TestBroker.uri();
        fleet = new ChaosFleet(broker, dir);
    }

    @AfterEach
    void stop() throws InterruptedException {
        fleet.close();
    }

    @Test
    void aWorkerKilledWithSigkillMidTaskLosesNothingAndTheOtherWorkerFinishes() throws Exception {
        // The victim's runs outlast the kill: with the default 300 ms a run could end, and its result be
        // committed, between seeing it RUNNING and the SIGKILL, leaving nothing to re-queue.
        fleet.startWorker("victim", "--sim-run-time", "60s");
        fleet.startWorker("survivor");
        long task = fleet.submit(task(EXPERIMENTS, 6));
        await().atMost(Duration.ofSeconds(60)).until(() -> runningOn(task, "victim") > 0 && fleet.count(task, "SUCCEEDED") >= 4);

        fleet.kill("victim");
        fleet.awaitEnd(task, Duration.ofSeconds(120));

        List<ExperimentRecord> experiments = fleet.experiments(task);
        assertThat(experiments).filteredOn(e -> e.attempt() > 1).as("re-queued after the kill").isNotEmpty();
        assertThat(experiments).allSatisfy(e -> assertThat(e.state()).isEqualTo(ExperimentState.SUCCEEDED));
        verify(task, EXPERIMENTS);
    }

    @Test
    void aCoordinatorStoppedMidTaskResumesFromTheDatabaseAndRunsNoConfigurationTwice() throws Exception {
        fleet.startWorker("w1");
        fleet.startWorker("w2");
        long task = fleet.submit(task(EXPERIMENTS, 6));
        await().atMost(Duration.ofSeconds(60)).until(() -> fleet.count(task, "SUCCEEDED") >= 8);

        fleet.stopCoordinator();
        // Workers go on while no coordinator listens: wait until their results queue up for the restart.
        await().atMost(Duration.ofSeconds(30)).until(() -> fleet.queueDepth(Topology.RESULTS_QUEUE) > 0);
        fleet.startCoordinator();
        fleet.awaitEnd(task, Duration.ofSeconds(120));

        assertThat(fleet.experiments(task)).allSatisfy(e -> assertThat(e.state()).isEqualTo(ExperimentState.SUCCEEDED));
        verify(task, EXPERIMENTS);
    }

    @Test
    void theBrokerStoppedAndStartedMidTaskLosesNothing() throws Exception {
        Path rabbitmqctl = Path.of("/usr/sbin/rabbitmqctl");
        boolean local = broker.getHost().equals("127.0.0.1") || broker.getHost().equals("localhost");
        if (!Files.isExecutable(rabbitmqctl) || !local) {
            String why = "needs a local RabbitMQ and rabbitmqctl to stop and start it";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(why);
            }
            Assumptions.abort(why);
        }
        fleet.startWorker("w1");
        fleet.startWorker("w2");
        long task = fleet.submit(task(EXPERIMENTS, 6));
        await().atMost(Duration.ofSeconds(60)).until(() -> fleet.count(task, "SUCCEEDED") >= 6);

        run(rabbitmqctl.toString(), "stop_app");
        try {
            // The broker stays down longer than the coordinator's lease: no heartbeat reaches it, every
            // worker counts as lost, and their results and claims wait in retries.
            await().atMost(Duration.ofSeconds(30)).until(() -> fleet.fleet().live().isEmpty());
        } finally {
            // Whatever happened, the next scenarios need the broker back.
            run(rabbitmqctl.toString(), "start_app");
        }
        fleet.awaitEnd(task, Duration.ofSeconds(180));

        assertThat(fleet.experiments(task)).allSatisfy(e -> assertThat(e.state()).isEqualTo(ExperimentState.SUCCEEDED));
        verify(task, EXPERIMENTS);
    }

    @Test
    void everyResultDeliveredTwiceIsCommittedOnce() throws Exception {
        fleet.startWorker("w1", "--chaos-duplicate-results", "true");
        fleet.startWorker("w2", "--chaos-duplicate-results", "true");
        long task = fleet.submit(task(EXPERIMENTS, 6));

        fleet.awaitEnd(task, Duration.ofSeconds(120));

        assertThat(fleet.experiments(task)).allSatisfy(e -> assertThat(e.state()).isEqualTo(ExperimentState.SUCCEEDED));
        verify(task, EXPERIMENTS);
    }

    @Test
    void malformedAndWrongVersionMessagesOnEveryQueueGoToTheDeadLetterQueueOnce() throws Exception {
        fleet.startWorker("w1");
        fleet.startWorker("w2");
        long task = fleet.submit(task(EXPERIMENTS, 6));
        int parked;
        CachingConnectionFactory connections = new CachingConnectionFactory(broker);
        try {
            RabbitTemplate template = new RabbitTemplate(connections);
            List<String> queues = List.of(Topology.jobQueue(1), Topology.jobQueue(2), Topology.jobQueue(4),
                    Topology.RESULTS_QUEUE, Topology.HEARTBEATS_QUEUE);
            for (String queue : queues) {
                template.send("", queue, json("{not json"));
                template.send("", queue, json("{\"schema\": 99, \"type\": \"result\"}"));
            }
            // A forged job naming no experiment of the task: its refusal is reported, and ignored as stale.
            template.send("", Topology.jobQueue(1), json("""
                    {"schema":1,"taskId":%d,"experimentId":999999,"attempt":1,"gpus":1,"runtime":"sim","model":"m",
                     "imageTag":"x","parameters":{"tp-size":1,"schedule-policy":"1; rm -rf /"},
                     "benchmark":{"trafficScenarios":["D(1,1)"],"numConcurrency":[1],"maxTimePerIterationSeconds":1,
                     "maxRequestsPerIteration":1},"timeoutSeconds":60}""".formatted(task)));
            template.send(Topology.CONTROL_EXCHANGE, "", json("{garbage"));
            template.send(Topology.CONTROL_EXCHANGE, "", json("{\"schema\": 7, \"kind\": \"CANCEL_TASK\"}"));
            int expected = queues.size() * 2 + 1 + 2 * 2; // control messages reach both workers
            await().atMost(Duration.ofSeconds(60)).until(() -> fleet.queueDepth(Topology.DEAD_LETTER_QUEUE) >= expected);
            fleet.awaitEnd(task, Duration.ofSeconds(120));
            // A looping message would show up again within a second.
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                    .until(() -> fleet.queueDepth(Topology.DEAD_LETTER_QUEUE) == expected);
            parked = fleet.queueDepth(Topology.DEAD_LETTER_QUEUE);
            assertThat(parked).as("each unusable message parked exactly once").isEqualTo(expected);
            Message first = template.receive(Topology.DEAD_LETTER_QUEUE);
            assertThat(first.getMessageProperties().<String>getHeader(Topology.REASON_HEADER)).isNotBlank();
        } finally {
            connections.destroy();
        }
        assertThat(fleet.experiments(task)).allSatisfy(e -> assertThat(e.state()).isEqualTo(ExperimentState.SUCCEEDED));
        verify(task, EXPERIMENTS);
    }

    /**
     * A job the workers refuse (here one whose parameters were altered on its way to the queue) is
     * parked, and its experiment fails with the worker's reason rather than staying QUEUED for ever
     * and holding a place in the task's window: the task still completes.
     */
    @Test
    void aJobTheWorkersRefuseFailsItsExperimentWithTheReasonAndTheTaskStillCompletes() throws Exception {
        long task = fleet.submit(task(EXPERIMENTS, 6));
        await().atMost(Duration.ofSeconds(30)).until(() -> fleet.queueDepth(Topology.jobQueue(1)) > 0);
        long altered;
        CachingConnectionFactory connections = new CachingConnectionFactory(broker);
        try {
            RabbitTemplate template = new RabbitTemplate(connections);
            Message job = template.receive(Topology.jobQueue(1), 5_000);
            ObjectNode tree = (ObjectNode) JSON.readTree(job.getBody());
            altered = tree.get("experimentId").asLong();
            ((ObjectNode) tree.get("parameters")).put("schedule-policy", "fcfs; rm -rf /");
            template.send("", Topology.jobQueue(1), new Message(JSON.writeValueAsBytes(tree), job.getMessageProperties()));
        } finally {
            connections.destroy();
        }
        fleet.startWorker("w1");

        fleet.awaitEnd(task, Duration.ofSeconds(120));

        assertThat(fleet.experiments(task)).filteredOn(e -> e.id() == altered).singleElement().satisfies(e -> {
            assertThat(e.state()).isEqualTo(ExperimentState.FAILED);
            assertThat(e.failureClass()).isEqualTo(FailureClass.INVALID_CONFIG);
            assertThat(e.error()).contains("refused by worker w1", "schedule-policy");
        });
        assertThat(fleet.experiments(task)).filteredOn(e -> e.id() != altered)
                .allSatisfy(e -> assertThat(e.state()).isEqualTo(ExperimentState.SUCCEEDED));
        assertThat(fleet.queueDepth(Topology.DEAD_LETTER_QUEUE)).isEqualTo(1);
        verify(task, EXPERIMENTS);
    }

    @Test
    void cancellingATaskStopsItsRunningEnginesOnEveryWorkerWithinTenSeconds() throws Exception {
        fleet.startWorker("w1", "--sim-run-time", "30s");
        fleet.startWorker("w2", "--sim-run-time", "30s");
        long task = fleet.submit(task(EXPERIMENTS, 6));
        await().atMost(Duration.ofSeconds(60)).until(() -> fleet.count(task, "RUNNING") >= 4);

        long cancelledAt = System.nanoTime();
        new ApiClient(fleet.baseUrl()).cancel(task);
        int leaked = fleet.leakedGpus(Duration.ofSeconds(10));
        long stoppedMs = (System.nanoTime() - cancelledAt) / 1_000_000;

        assertThat(leaked).as("GPUs still held 10 s after the cancel").isZero();
        assertThat(fleet.status(task)).isEqualTo(TaskStatus.CANCELLED);
        assertThat(fleet.experiments(task)).allSatisfy(e -> assertThat(e.state().isTerminal()).isTrue())
                .anySatisfy(e -> assertThat(e.state()).isEqualTo(ExperimentState.CANCELLED));
        assertThat(fleet.doubleSuccesses(task)).isEmpty();
        record(task, 0, "stopped in " + stoppedMs + " ms");
    }

    @Test
    void aGpuWhoseMemoryStaysHeldIsQuarantinedThenReleasedWhenTheMemoryDrops() throws Exception {
        Path smi = fakeNvidiaSmi();
        fleet.startWorker("fake-smi", "--gpus", "nvidia-smi", "--nvidia-smi", smi.toString(), "--sim-run-time", "1s");
        long task = fleet.submit(task(EXPERIMENTS, 4));
        await().atMost(Duration.ofSeconds(60)).until(() -> fleet.experiments(task).stream()
                .anyMatch(e -> e.state() == ExperimentState.RUNNING && e.gpuIndices() != null && e.gpuIndices().contains(0)));

        Files.writeString(dir.resolve("mem-0"), "40000");
        await().atMost(Duration.ofSeconds(30)).until(() -> quarantined("fake-smi") == 1);
        Files.writeString(dir.resolve("mem-0"), "0");
        await().atMost(Duration.ofSeconds(30)).until(() -> quarantined("fake-smi") == 0);
        fleet.awaitEnd(task, Duration.ofSeconds(180));

        assertThat(fleet.experiments(task)).allSatisfy(e -> assertThat(e.state()).isEqualTo(ExperimentState.SUCCEEDED));
        verify(task, EXPERIMENTS);
    }

    /** The end checks every scenario shares; records the scenario's figures. */
    private void verify(long task, int expected) {
        List<ExperimentRecord> experiments = fleet.experiments(task);
        assertThat(fleet.status(task)).isEqualTo(TaskStatus.COMPLETED);
        assertThat(experiments).hasSize(expected);
        assertThat(experiments).allSatisfy(e -> assertThat(e.state().isTerminal()).isTrue());
        assertThat(experiments.stream().map(ExperimentRecord::configKey).distinct().count()).isEqualTo(expected);
        assertThat(fleet.doubleSuccesses(task)).as("experiments with two successful attempts").isEmpty();
        int leaked = fleet.leakedGpus(Duration.ofSeconds(10));
        assertThat(leaked).as("GPUs reserved or quarantined after the task").isZero();
        record(task, leaked, "");
    }

    private void record(long task, int leaked, String note) {
        List<ExperimentRecord> experiments = fleet.experiments(task);
        long lost = experiments.stream().filter(e -> !e.state().isTerminal()).count();
        REPORT.add(String.format("| %s | %d | %d | %d | %d | %d | %s |", scenario, experiments.size(), fleet.attempts(task),
                lost, fleet.doubleSuccesses(task).size(), leaked, note));
    }

    @AfterAll
    static void writeReport() throws IOException {
        String table = "| scenario | experiments | attempts | lost | duplicated | leaked GPUs | note |\n"
                + "|---|---|---|---|---|---|---|\n" + String.join("\n", REPORT) + "\n";
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "chaos-report.md"), table);
        System.out.println("Chaos suite figures:\n" + table);
    }

    private long runningOn(long task, String worker) {
        return fleet.experiments(task).stream()
                .filter(e -> e.state() == ExperimentState.RUNNING && worker.equals(e.workerId())).count();
    }

    private int quarantined(String worker) {
        return fleet.fleet().live().stream().filter(w -> w.heartbeat().workerId().equals(worker))
                .mapToInt(w -> w.heartbeat().gpusQuarantined()).findFirst().orElse(-1);
    }

    private Path fakeNvidiaSmi() throws IOException {
        StringBuilder gpus = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            gpus.append("  echo \"").append(i).append(", GPU-0000000").append(i)
                    .append("-fake-4a1b-9c2d-0123456789ab, NVIDIA H100 80GB HBM3, 81559, $(cat ")
                    .append(dir).append("/mem-").append(i).append(" 2>/dev/null || echo 0), 0\"\n");
        }
        Path script = dir.resolve("nvidia-smi");
        Files.writeString(script, "#!/bin/bash\ncase \"$*\" in\n *--query-gpu*)\n" + gpus + "  ;;\n"
                + " *--query-compute-apps*) ;;\nesac\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    private static Message json(String body) {
        MessageProperties props = new MessageProperties();
        props.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        return new Message(body.getBytes(StandardCharsets.UTF_8), props);
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
    }

    static String task(int iterations, int window) {
        return """
                {
                  "task_name": "chaos",
                  "model": {"id_or_path": "meta-llama/Llama-3.1-8B-Instruct"},
                  "base_runtime": "sim",
                  "parameters": {%s},
                  "optimization": {"strategy": "random", "seed": 11, "objective": "minimize_latency",
                                   "max_iterations": %d, "max_parallel_experiments": %d, "max_retries": 3,
                                   "timeout_per_iteration": 120},
                  "benchmark": {"traffic_scenarios": ["D(512,256)"], "num_concurrency": [1, 16]}
                }""".formatted(PARAMETERS, iterations, window);
    }
}
