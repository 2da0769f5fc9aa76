package io.tunefleet.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunefleet.common.experiment.FailureClass;
import io.tunefleet.common.message.JobMessage;
import io.tunefleet.common.message.ResultMessage.Outcome;
import io.tunefleet.worker.engine.EnginePreset;
import io.tunefleet.worker.engine.PortAllocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fake engine script that spawns a child, as engines do; the whole group must be gone at the end. */
class ProcessRuntimeTest {

    @TempDir
    Path dir;

    private ProcessRuntime runtime(String script) throws Exception {
        Path file = dir.resolve("engine.sh");
        Files.writeString(file, "#!/bin/sh\nsleep 300 &\necho $! > " + dir.resolve("child.pid") + "\necho $$ > "
                + dir.resolve("engine.pid") + "\necho \"$CUDA_VISIBLE_DEVICES $CUDA_DEVICE_ORDER\" > " + dir.resolve("cuda.txt") + "\n"
                + "echo \"$2\" > " + dir.resolve("gpus.txt") + "\n"
                + script + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        RuntimeSettings defaults = RuntimeSettings.defaults(RuntimeMode.ENGINE, Duration.ZERO);
        RuntimeSettings settings = new RuntimeSettings(RuntimeMode.ENGINE, Duration.ZERO, 22000, 22099,
                dir.resolve("ports"), dir.resolve("logs"), Duration.ofMillis(100), Duration.ofSeconds(2),
                Duration.ofSeconds(10), 1);
        return new ProcessRuntime(Map.of("fake", new EnginePreset("fake", List.of(file.toString(), "{port}", "{gpus}"))),
                new PortAllocator(settings.portFirst(), settings.portLast(), settings.portLockDir()),
                ScoringSpec.DEFAULT, settings);
    }

    private JobMessage job(long timeoutS) {
        return Jobs.job("fake", Map.of(), Jobs.smallBenchmark(), timeoutS);
    }

    private void assertGroupGone() throws Exception {
        long child = Long.parseLong(Files.readString(dir.resolve("child.pid")).trim());
        long engine = Long.parseLong(Files.readString(dir.resolve("engine.pid")).trim());
        assertThat(Processes.alive(child)).as("child %d of the engine", child).isFalse();
        assertThat(Processes.alive(engine)).as("engine %d", engine).isFalse();
    }

    /** The engine's pid and its child's, as the script wrote them. */
    private Integer[] enginePids() throws Exception {
        return new Integer[] {Integer.valueOf(Files.readString(dir.resolve("engine.pid")).trim()),
                Integer.valueOf(Files.readString(dir.resolve("child.pid")).trim())};
    }

    @Test
    void aServingEngineIsBenchmarkedOnItsGpusAndItsGroupIsGoneAfterSuccess() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessRuntime runtime = runtime("exec " + java + " -Xshare:auto -XX:TieredStopAtLevel=1 -cp '"
                + System.getProperty("java.class.path") + "' io.tunefleet.worker.sim.SimEngineMain --port \"$1\""
                + " --ttft-ms 5 --tpot-ms 1");

        RunResult result = runtime.run(job(60), List.of(2, 5));

        assertThat(result.error()).isNull();
        assertThat(result.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(result.metrics()).containsKeys("ttft_mean_ms", "tpot_mean_ms", "e2e_latency_mean_s",
                "output_tokens_per_s_per_gpu", "score").containsEntry("success_rate", 1.0).containsEntry("gpus", 2.0);
        // PCI bus order, as nvidia-smi numbers them; CUDA's own default puts the fastest GPU first
        assertThat(Files.readString(dir.resolve("cuda.txt")).trim()).isEqualTo("2,5 PCI_BUS_ID");
        assertThat(Files.readString(dir.resolve("gpus.txt")).trim())
                .as("{gpus} as the engine sees them: CUDA_VISIBLE_DEVICES numbers them from 0").isEqualTo("0,1");
        assertGroupGone();
        assertThat(result.enginePids()).as("for the clean release").contains(enginePids());
    }

    @Test
    void anEngineThatExitsDuringStartFailsFastWithItsOutputAndLeavesNoChild() throws Exception {
        ProcessRuntime runtime = runtime("echo 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate' >&2\n"
                + "exit 1");

        long started = System.nanoTime();
        RunResult result = runtime.run(job(60), List.of(0));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
        assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(result.failureClass()).isEqualTo(FailureClass.OUT_OF_MEMORY);
        assertThat(result.error()).contains("CUDA out of memory");
        assertGroupGone();
        assertThat(result.enginePids()).as("the engine exited, its child did not").contains(enginePids());
    }

    @Test
    void aFailureIsClassedByWhatTheEngineSaidBeforeItsLastTracebackAndABadByteCostsNothing() throws Exception {
        // As vLLM ends: the engine core's error, then the API server's own traceback of 30 lines and more.
        ProcessRuntime runtime = runtime("echo 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB' >&2\n"
                + "printf 'a byte that is not UTF-8: \\377\\n' >&2\n"
                + "i=0; while [ $i -lt 40 ]; do echo \"  File api_server.py, line $i, in run_server\" >&2; i=$((i+1)); done\n"
                + "echo 'RuntimeError: Engine core initialization failed. See root cause above.' >&2\n"
                + "exit 1");

        RunResult result = runtime.run(job(60), List.of(0));

        assertThat(result.failureClass()).isEqualTo(FailureClass.OUT_OF_MEMORY);
        assertThat(result.error()).contains("CUDA out of memory", "Engine core initialization failed")
                .as("the error quotes the last 20 lines only").doesNotContain("Tried to allocate");
        assertGroupGone();
    }

    @Test
    void anEngineThatNeverBecomesHealthyTimesOutAndItsGroupIsKilled() throws Exception {
        ProcessRuntime runtime = runtime("trap '' TERM\nexec sleep 300");

        RunResult result = runtime.run(job(1), List.of(0));

        assertThat(result.outcome()).isEqualTo(Outcome.TIMED_OUT);
        assertThat(result.failureClass()).isEqualTo(FailureClass.STARTUP_TIMEOUT);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(this::assertGroupGone);
        assertThat(result.enginePids()).contains(enginePids());
    }

    /** How the claim loop stops a run at its timeout or on a cancel: the pids come with the interrupt. */
    @Test
    void anInterruptedRunStopsItsGroupAndNamesItsPidsInTheInterrupt() throws Exception {
        ProcessRuntime runtime = runtime("exec sleep 300");
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<Object> run = executor.submit(() -> {
                try {
                    return runtime.run(job(60), List.of(0));
                } catch (InterruptedException e) {
                    return e;
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(dir.resolve("cuda.txt")));

            executor.shutdownNow(); // interrupts the run

            assertThat(run.get(20, TimeUnit.SECONDS)).isInstanceOfSatisfying(EngineInterruptedException.class,
                    e -> assertThat(e.enginePids()).contains(enginePidsUnchecked()));
            assertGroupGone();
        } finally {
            executor.shutdownNow();
        }
    }

    private Integer[] enginePidsUnchecked() {
        try {
            return enginePids();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aTaskDefinedEngineCommandRunsThoughTheWorkerHasNoPresetForIt() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        runtime("exec " + java + " -XX:TieredStopAtLevel=1 -cp '" + System.getProperty("java.class.path")
                + "' io.tunefleet.worker.sim.SimEngineMain --port \"$1\" --ttft-ms 5 --tpot-ms 1");
        JobMessage base = job(60);
        JobMessage custom = new JobMessage(base.schema(), base.taskId(), base.experimentId(), base.attempt(),
                base.gpus(), "custom", base.model(), base.imageTag(), base.parameters(), base.benchmark(),
                base.timeoutSeconds(), null, null, List.of(dir.resolve("engine.sh").toString(), "{port}"));
        ProcessRuntime presetless = new ProcessRuntime(Map.of(), new PortAllocator(22100, 22199, dir.resolve("ports2")),
                ScoringSpec.DEFAULT, RuntimeSettings.defaults(RuntimeMode.ENGINE, Duration.ZERO));

        RunResult result = presetless.run(custom, List.of(3));

        assertThat(result.error()).isNull();
        assertThat(result.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(Files.readString(dir.resolve("cuda.txt")).trim()).isEqualTo("3 PCI_BUS_ID");
        assertGroupGone();
    }

    @Test
    void aJobForAnEngineTheWorkerDoesNotKnowFailsAsInfrastructure() throws Exception {
        RunResult result = runtime("exit 0").run(Jobs.job("tgi", Map.of(), Jobs.smallBenchmark(), 5), List.of(0));

        assertThat(result.failureClass()).isEqualTo(FailureClass.INFRASTRUCTURE);
        assertThat(result.error()).contains("tgi");
    }
}
