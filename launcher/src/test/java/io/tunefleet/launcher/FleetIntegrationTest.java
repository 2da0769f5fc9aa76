package io.tunefleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunefleet.common.experiment.ExperimentState;
import io.tunefleet.common.experiment.FailureClass;
import io.tunefleet.common.experiment.TaskStatus;
import io.tunefleet.common.param.GpuRequirement;
import io.tunefleet.common.param.ParameterSet;
import io.tunefleet.coordinator.store.ExperimentRecord;
import io.tunefleet.coordinator.store.ExperimentStore;
import io.tunefleet.coordinator.store.TaskStore;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole fleet on a real RabbitMQ and a real SQLite file: two workers with 4 simulated GPUs each. */
class FleetIntegrationTest {

    static final int WORKERS = 2;
    static final int GPUS_PER_WORKER = 4;

    @TempDir
    Path dir;
    private Stack stack;
    private final GpuTimeline timeline = new GpuTimeline();
    private ApiClient api;

    @BeforeEach
    void startFleet() throws Exception {
        URI broker = TestBroker.uri();
        TestBroker.purge(broker);
        stack = Stack.start(new Stack.Options(0, dir.resolve("tunefleet.db"), broker, WORKERS, GPUS_PER_WORKER,
                Duration.ofMillis(150), Map.of(
                        "tunefleet.coordinator.dispatch-tick", "200ms",
                        "tunefleet.coordinator.unschedulable-after", "1s",
                        // unschedulable only once every live worker can have been heard: a worker timeout
                        "tunefleet.coordinator.worker-timeout", "6s"), timeline::watch));
        api = new ApiClient(stack.baseUrl());
    }

    @AfterEach
    void stopFleet() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aTaskMixingOneTwoAndFourGpuExperimentsCompletesInsideItsWindowWithoutDoubleBookingAGpu() {
        long task = submit(task("mixed", 24, 6, """
                "tp-size": [1, 2, 4], "mem-fraction-static": [0.7, 0.8],
                "schedule-policy": ["fcfs", "lpm"], "chunked-prefill-size": [2048, 4096]"""));

        awaitEnd(task);

        List<ExperimentRecord> experiments = experiments(task);
        assertThat(status(task)).isEqualTo(TaskStatus.COMPLETED);
        assertThat(experiments).hasSize(24).allSatisfy(e -> assertThat(e.state()).isEqualTo(ExperimentState.SUCCEEDED));
        assertThat(experiments).extracting(ExperimentRecord::gpus).contains(1, 2, 4);
        assertThat(experiments).allSatisfy(e -> assertThat(e.gpuIndices()).hasSize(
                GpuRequirement.of(ParameterSet.of(e.parameters()))));
        assertThat(maxInFlight(experiments)).isEqualTo(6);
        assertThat(timeline.reservations()).isGreaterThanOrEqualTo(24);
        assertThat(timeline.violations(gpusPerWorker())).isEmpty();
    }

    @Test
    void twoTasksShareTheFleetAndEachStaysInsideItsOwnWindow() {
        long first = submit(task("first", 12, 3, """
                "tp-size": [1, 2], "mem-fraction-static": [0.7, 0.8, 0.9], "schedule-policy": ["fcfs", "lpm"]"""));
        long second = submit(task("second", 12, 4, """
                "tp-size": [1, 2], "mem-fraction-static": [0.7, 0.75, 0.8], "schedule-policy": ["fcfs", "lpm"]"""));

        awaitEnd(first);
        awaitEnd(second);

        assertThat(status(first)).isEqualTo(TaskStatus.COMPLETED);
        assertThat(status(second)).isEqualTo(TaskStatus.COMPLETED);
        assertThat(experiments(first)).hasSize(12).allSatisfy(e -> assertThat(e.state()).isEqualTo(ExperimentState.SUCCEEDED));
        assertThat(experiments(second)).hasSize(12).allSatisfy(e -> assertThat(e.state()).isEqualTo(ExperimentState.SUCCEEDED));
        assertThat(maxInFlight(experiments(first))).isEqualTo(3);
        assertThat(maxInFlight(experiments(second))).isEqualTo(4);
        assertThat(overlapInTime(experiments(first), experiments(second)))
                .as("the two tasks ran at the same time").isTrue();
        assertThat(timeline.violations(gpusPerWorker())).isEmpty();
    }

    @Test
    void closingTheStackRemovesItsSimulatedGpusLockDirectory() {
        Path locks = stack.privateLocks();
        assertThat(locks).isDirectory();

        stack.close();

        assertThat(locks).doesNotExist();
    }

    @Test
    void anExperimentNeedingMoreGpusThanAnyWorkerHasIsReportedUnschedulable() {
        long task = submit(task("too-big", 4, 4, """
                "tp-size": [1, 8], "mem-fraction-static": [0.7, 0.8]"""));

        awaitEnd(task);

        List<ExperimentRecord> experiments = experiments(task);
        assertThat(status(task)).isEqualTo(TaskStatus.COMPLETED);
        assertThat(experiments).filteredOn(e -> e.gpus() == 8).hasSize(2).allSatisfy(e -> {
            assertThat(e.state()).isEqualTo(ExperimentState.FAILED);
            assertThat(e.failureClass()).isEqualTo(FailureClass.UNSCHEDULABLE);
            assertThat(e.retryable()).isFalse();
            assertThat(e.error()).contains("needs 8 GPUs", "largest live worker has 4");
        });
        assertThat(experiments).filteredOn(e -> e.gpus() == 1)
                .allSatisfy(e -> assertThat(e.state()).isEqualTo(ExperimentState.SUCCEEDED));
    }

    private long submit(String json) {
        return ((Number) api.submit(json).get("id")).longValue();
    }

    private void awaitEnd(long task) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                .until(() -> status(task).isTerminal());
    }

    private TaskStatus status(long task) {
        return stack.coordinator().getBean(TaskStore.class).find(task).orElseThrow().status();
    }

    private List<ExperimentRecord> experiments(long task) {
        return stack.coordinator().getBean(ExperimentStore.class).byTask(task);
    }

    private Map<String, Integer> gpusPerWorker() {
        Map<String, Integer> gpus = new HashMap<>();
        stack.workers().forEach(w -> gpus.put(w.workerId(), w.pool().total()));
        return gpus;
    }

    /**
     * The most experiments of one task in flight at once: each counts from its creation until the
     * coordinator committed its end. A slot freed and refilled in the same millisecond counts once.
     */
    static int maxInFlight(List<ExperimentRecord> experiments) {
        List<long[]> edges = new ArrayList<>();
        for (ExperimentRecord e : experiments) {
            edges.add(new long[] {e.createdAt(), +1});
            edges.add(new long[] {e.committedAt(), -1});
        }
        edges.sort(Comparator.<long[]>comparingLong(edge -> edge[0]).thenComparingLong(edge -> edge[1]));
        int inFlight = 0;
        int max = 0;
        for (long[] edge : edges) {
            inFlight += (int) edge[1];
            max = Math.max(max, inFlight);
        }
        return max;
    }

    private static boolean overlapInTime(List<ExperimentRecord> a, List<ExperimentRecord> b) {
        long aStart = a.stream().mapToLong(ExperimentRecord::createdAt).min().orElseThrow();
        long aEnd = a.stream().mapToLong(ExperimentRecord::committedAt).max().orElseThrow();
        long bStart = b.stream().mapToLong(ExperimentRecord::createdAt).min().orElseThrow();
        long bEnd = b.stream().mapToLong(ExperimentRecord::committedAt).max().orElseThrow();
        return aStart < bEnd && bStart < aEnd;
    }

    static String task(String name, int iterations, int window, String parameters) {
        return """
                {
                  "task_name": "%s",
                  "model": {"id_or_path": "meta-llama/Llama-3.1-8B-Instruct"},
                  "base_runtime": "sim",
                  "parameters": {%s},
                  "optimization": {"strategy": "random", "seed": 7, "objective": "maximize_throughput",
                                   "max_iterations": %d, "max_parallel_experiments": %d},
                  "benchmark": {"traffic_scenarios": ["D(512,256)"], "num_concurrency": [1, 16]}
                }""".formatted(name, parameters, iterations, window);
    }
}
