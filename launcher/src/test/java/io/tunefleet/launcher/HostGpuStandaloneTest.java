package io.tunefleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tunefleet.common.experiment.ExperimentState;
import io.tunefleet.common.experiment.TaskStatus;
import io.tunefleet.coordinator.store.ExperimentRecord;
import io.tunefleet.coordinator.store.ExperimentStore;
import io.tunefleet.coordinator.store.TaskStore;
import io.tunefleet.worker.runtime.RuntimeMode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code standalone --gpus nvidia-smi}: one worker on the host's GPUs, here a fake nvidia-smi whose
 * one GPU another process uses until the test lets it go.
 */
class HostGpuStandaloneTest {

    @TempDir
    Path dir;

    @Test
    void aGpuAnotherProcessUsesIsLeftAloneAndTakenOnceThatProcessIsGone() throws Exception {
        Path used = dir.resolve("memory-used-mib");
        Files.writeString(used, "9000"); // in use, by no process this host can see (another container)
        Path smi = fakeNvidiaSmi(used);
        ExperimentStore experiments;
        try (Stack stack = Stack.start(new Stack.Options(0, dir.resolve("t.db"), null, 2, 4, Duration.ofMillis(100),
                Map.of()).withRuntimeMode(RuntimeMode.HOLD).onHostGpus(smi.toString(), dir.resolve("locks")))) {
            assertThat(stack.workers()).hasSize(1);
            assertThat(stack.workers().get(0).pool().total()).isEqualTo(1);
            experiments = stack.coordinator().getBean(ExperimentStore.class);
            TaskStore tasks = stack.coordinator().getBean(TaskStore.class);
            long task = ((Number) new ApiClient(stack.baseUrl()).submit("""
                    {"task_name": "host", "model": {"id_or_path": "m"}, "base_runtime": "sim",
                     "parameters": {"mem-fraction-static": [0.7, 0.8]},
                     "optimization": {"max_iterations": 2, "max_parallel_experiments": 2}}""").get("id")).longValue();

            // Several heartbeats (1 s) and claim polls (50 ms) pass: the busy GPU is not handed out.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                    .until(() -> experiments.byTask(task).stream().noneMatch(HostGpuStandaloneTest::started));
            assertThat(stack.workers().get(0).pool().foreignBusy()).isEqualTo(1);

            Files.writeString(used, "4");

            await().atMost(Duration.ofSeconds(30)).until(() -> tasks.find(task).orElseThrow().status().isTerminal());
            assertThat(tasks.find(task).orElseThrow().status()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(experiments.byTask(task)).extracting(ExperimentRecord::state)
                    .containsOnly(ExperimentState.SUCCEEDED);
            assertThat(experiments.byTask(task)).extracting(ExperimentRecord::workerId).containsOnly("gpu-worker");
        }
    }

    @Test
    void hostGpusGoWithOneWorkerAndNamedSpecsOnly() {
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Main.run(List.of("standalone", "--gpus", "nvidia-smi", "--workers", "2"), out))
                .isInstanceOf(Args.UsageException.class).hasMessageContaining("one worker on this host's GPUs");
        assertThatThrownBy(() -> Main.run(List.of("standalone", "--gpus", "sim:4"), out))
                .isInstanceOf(Args.UsageException.class).hasMessageContaining("not 'sim:4'");
        assertThatThrownBy(() -> Main.run(List.of("standalone", "--nvidia-smi", "/usr/bin/nvidia-smi"), out))
                .isInstanceOf(Args.UsageException.class).hasMessageContaining("only goes with --gpus nvidia-smi");
    }

    private static boolean started(ExperimentRecord e) {
        return e.state() == ExperimentState.RUNNING || e.state() == ExperimentState.SUCCEEDED;
    }

    /** One H200, whose used memory is the number in {@code used}; a UUID of its own, so its lock file is too. */
    private Path fakeNvidiaSmi(Path used) throws Exception {
        Path smi = dir.resolve("nvidia-smi");
        Files.writeString(smi, """
                #!/bin/sh
                used=$(cat '%s')
                case "$*" in
                  *--query-gpu=index,uuid,*) echo "0, GPU-%s, NVIDIA H200, 143771, $used, 0" ;;
                  *--query-gpu=index,utilization*) echo "0, 0, $used, 75.20" ;;
                  *--query-compute-apps*) ;;
                  "topo -m") printf '\\tGPU0\\tCPU Affinity\\tNUMA Affinity\\tGPU NUMA ID\\nGPU0\\t X \\t0-15\\t0\\t\\tN/A\\n' ;;
                  *) echo "unexpected arguments: $*" >&2; exit 2 ;;
                esac
                """.formatted(used, UUID.randomUUID()));
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
        return smi;
    }
}
