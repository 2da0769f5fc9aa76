package io.tunefleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunefleet.common.experiment.ExperimentState;
import io.tunefleet.common.experiment.FailureClass;
import io.tunefleet.common.experiment.TaskStatus;
import io.tunefleet.coordinator.store.ExperimentRecord;
import io.tunefleet.coordinator.store.ExperimentStore;
import io.tunefleet.coordinator.store.TaskStore;
import io.tunefleet.worker.runtime.RuntimeMode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole fleet on the simulated engine: every experiment starts a real OpenAI-compatible server
 * on its reserved port and is measured over HTTP by the benchmark client.
 */
class SimEngineFleetTest {

    @TempDir
    Path dir;

    @Test
    void aTaskCompletesWithMeasuredMetricsAndAnOutOfMemoryConfigIsReportedAndNotRetried() throws Exception {
        URI broker = TestBroker.uri();
        TestBroker.purge(broker);
        try (Stack stack = Stack.start(new Stack.Options(0, dir.resolve("t.db"), broker, 2, 4, Duration.ofSeconds(1),
                Map.of("tunefleet.coordinator.dispatch-tick", "200ms")).withRuntimeMode(RuntimeMode.ENGINE))) {
            long task = ((Number) new ApiClient(stack.baseUrl()).submit("""
                    {"task_name": "engine", "model": {"id_or_path": "meta-llama/Llama-3.1-70B-Instruct"},
                     "base_runtime": "sim",
                     "parameters": {"tp-size": [1, 4], "mem-fraction-static": [0.85]},
                     "optimization": {"strategy": "grid_search", "objective": "minimize_ttft",
                                      "max_iterations": 2, "max_parallel_experiments": 2, "timeout_per_iteration": 120},
                     "benchmark": {"traffic_scenarios": ["D(64,16)"], "num_concurrency": [1, 4],
                                   "max_time_per_iteration": 3, "max_requests_per_iteration": 8}}""").get("id"))
                    .longValue();

            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .until(() -> stack.coordinator().getBean(TaskStore.class).find(task).orElseThrow().status().isTerminal());

            List<ExperimentRecord> experiments = stack.coordinator().getBean(ExperimentStore.class).byTask(task);
            assertThat(stack.coordinator().getBean(TaskStore.class).find(task).orElseThrow().status())
                    .isEqualTo(TaskStatus.COMPLETED);
            ExperimentRecord tooSmall = experiments.stream().filter(e -> e.gpus() == 1).findFirst().orElseThrow();
            assertThat(tooSmall.state()).isEqualTo(ExperimentState.FAILED);
            assertThat(tooSmall.failureClass()).isEqualTo(FailureClass.OUT_OF_MEMORY);
            assertThat(tooSmall.retryable()).isFalse();
            assertThat(tooSmall.attempt()).as("not retried").isEqualTo(1);
            ExperimentRecord fits = experiments.stream().filter(e -> e.gpus() == 4).findFirst().orElseThrow();
            assertThat(fits.state()).isEqualTo(ExperimentState.SUCCEEDED);
            assertThat(fits.metrics()).containsKeys("ttft_mean_ms", "tpot_mean_ms", "e2e_latency_mean_s",
                    "output_tokens_per_s", "output_tokens_per_s_per_gpu", "success_rate");
            assertThat(fits.metrics().get("success_rate")).isEqualTo(1.0);
            assertThat(fits.metrics().get("ttft_mean_ms")).isPositive();
            assertThat(fits.objectiveValue()).isEqualTo(fits.metrics().get("ttft_mean_ms"));
        }
    }
}
