package io.tunefleet.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunefleet.common.experiment.FailureClass;
import io.tunefleet.common.message.ResultMessage.Outcome;
import io.tunefleet.common.scoring.Slo;
import io.tunefleet.common.task.BenchmarkSpec;
import io.tunefleet.common.task.Objective;
import io.tunefleet.worker.engine.PortAllocator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimEngineRuntimeTest {

    @TempDir
    Path dir;

    private SimEngineRuntime runtime(ScoringSpec spec) {
        RuntimeSettings settings = new RuntimeSettings(RuntimeMode.ENGINE, Duration.ZERO, 23000, 23009,
                dir.resolve("ports"), dir.resolve("logs"), Duration.ofMillis(50), Duration.ofSeconds(2),
                Duration.ofSeconds(10), 1);
        return new SimEngineRuntime(new PortAllocator(23000, 23009, dir.resolve("ports")), job -> spec, settings);
    }

    @Test
    void aFittingConfigIsMeasuredOverHttpAndScoredForTheObjective() throws Exception {
        RunResult result = runtime(new ScoringSpec(Objective.MAXIMIZE_THROUGHPUT, Slo.none()))
                .run(Jobs.job("sim", Map.of("tp-size", 1), Jobs.smallBenchmark(), 30), List.of(0));

        assertThat(result.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(result.metrics()).containsKeys("ttft_mean_ms", "tpot_mean_ms", "e2e_latency_mean_s",
                "e2e_latency_p99_s", "itl_mean_ms", "requests_per_s", "c1_ttft_mean_ms", "c2_ttft_mean_ms");
        assertThat(result.metrics().get("score")).isEqualTo(result.metrics().get("output_tokens_per_s_per_gpu"))
                .isPositive();
        assertThat(result.metrics()).containsEntry("requests", 8.0).containsEntry("success_rate", 1.0);
    }

    @Test
    void aConfigThatDoesNotFitIsReportedOutOfMemory() throws Exception {
        RunResult result = runtime(ScoringSpec.LATENCY).run(Jobs.job("sim", Map.of("mem-fraction-static", 0.2),
                Jobs.smallBenchmark(), 30), List.of(0));

        assertThat(result.failureClass()).isEqualTo(FailureClass.OUT_OF_MEMORY);
        assertThat(result.failureClass().retryable()).isFalse();
    }

    @Test
    void aConfigThatBreaksAHardSloAtEveryLevelIsInfeasible() throws Exception {
        Slo slo = Slo.parse(Map.of("ttft", Map.of("threshold", 0.000001, "hard_fail", true, "fail_ratio", 0.1)));
        RunResult result = runtime(new ScoringSpec(Objective.MINIMIZE_TTFT, slo))
                .run(Jobs.job("sim", Map.of(), Jobs.smallBenchmark(), 30), List.of(0));

        assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(result.error()).contains("SLO", "concurrency 1", "concurrency 2");
    }

    @Test
    void anObjectiveTheBenchmarkCannotMeasureIsABenchmarkErrorNotAnInfeasibleConfig() throws Exception {
        BenchmarkSpec oneToken = new BenchmarkSpec(List.of("D(16,1)"), List.of(1), 30, 4);
        RunResult result = runtime(new ScoringSpec(Objective.MINIMIZE_TPOT, Slo.none()))
                .run(Jobs.job("sim", Map.of(), oneToken, 30), List.of(0));

        assertThat(result.failureClass()).isEqualTo(FailureClass.BENCHMARK_ERROR);
        assertThat(result.error()).contains("tpot_mean_ms", "not measured");
    }

    @Test
    void anInterruptStopsTheEngineFreesItsPortAndThrows() throws Exception {
        BenchmarkSpec long_ = new BenchmarkSpec(List.of("D(16,100000)"), List.of(1), 600, 1000);
        SimEngineRuntime runtime = runtime(ScoringSpec.LATENCY);
        AtomicReference<Thread> runner = new AtomicReference<>();
        CompletableFuture<RunResult> run = CompletableFuture.supplyAsync(() -> {
            runner.set(Thread.currentThread());
            try {
                return runtime.run(Jobs.job("sim", Map.of(), long_, 30), List.of(0));
            } catch (InterruptedException e) {
                throw new IllegalStateException("interrupted", e);
            }
        }, r -> new Thread(r, "experiment").start());
        await().atMost(Duration.ofSeconds(10)).until(() -> run.isDone() || !bindable(23000));
        assertThat(run).isNotDone();

        runner.get().interrupt();

        await().atMost(Duration.ofSeconds(10)).until(run::isDone);
        assertThat(run).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .havingRootCause().isInstanceOf(InterruptedException.class);
        assertThat(bindable(23000)).as("engine port closed").isTrue();
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
