package io.tunefleet.worker.runtime;

import io.tunefleet.common.experiment.FailureClass;
import io.tunefleet.common.message.JobMessage;
import io.tunefleet.common.param.ParameterSet;
import io.tunefleet.common.scoring.LevelMetrics;
import io.tunefleet.common.scoring.Metrics;
import io.tunefleet.common.scoring.Scorer;
import io.tunefleet.worker.bench.BenchmarkClient;
import io.tunefleet.worker.bench.BenchmarkPlan;
import io.tunefleet.worker.bench.LevelResult;
import io.tunefleet.worker.engine.PortAllocator;
import io.tunefleet.worker.sim.EngineStartException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One experiment on a real HTTP engine: reserve a port, start the engine, wait for {@code /health}
 * or else {@code /v1/models} (failing at once if the engine exits), benchmark it, score the levels, and stop it in every
 * outcome (success, failure, timeout, interrupt). {@code timeout_per_iteration} bounds the start. The
 * result names the pids the engine had ({@link RunResult#enginePids()}); so does the
 * {@link EngineInterruptedException} an interrupt ends the run with.
 */
final class EngineExperiment {

    /**
     * How much of an engine's output its failure is classed by: vLLM prints its API server's own
     * traceback of 30 lines and more after the engine core's error that says why (out of memory, say).
     */
    static final int LOG_LINES_READ = 200;
    /** How much of it a failed attempt's error quotes. */
    static final int LOG_LINES_SHOWN = 20;

    private static final Logger log = LoggerFactory.getLogger(EngineExperiment.class);

    private final PortAllocator ports;
    private final Function<JobMessage, ScoringSpec> scoring;
    private final RuntimeSettings settings;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    EngineExperiment(PortAllocator ports, Function<JobMessage, ScoringSpec> scoring, RuntimeSettings settings) {
        this.ports = ports;
        this.scoring = scoring;
        this.settings = settings;
    }

    RunResult run(JobMessage job, List<Integer> gpus, EngineStarter starter) throws InterruptedException {
        PortAllocator.Lease port;
        try {
            port = ports.reserve();
        } catch (IOException e) {
            return RunResult.failed(FailureClass.INFRASTRUCTURE, "no engine port: " + e.getMessage());
        }
        try (port) {
            EngineHandle engine;
            try {
                engine = starter.start(job, gpus, port.port());
            } catch (EngineStartException e) {
                log.info("task {} experiment {}: engine refused to start ({}: {})", job.taskId(), job.experimentId(),
                        e.failureClass(), e.getMessage());
                return RunResult.failed(e.failureClass(), e.getMessage());
            } catch (IOException e) {
                return RunResult.failed(FailureClass.INFRASTRUCTURE, "engine did not start: " + e.getMessage());
            }
            RunResult result;
            try (engine) {
                result = serve(job, gpus, port.port(), engine);
            } catch (InterruptedException e) {
                // The engine is closed before a catch runs: its pids are complete.
                throw new EngineInterruptedException(engine.pids(), e);
            }
            // Read once it is closed: every process it had, for the GPUs' clean release.
            return result.withEnginePids(engine.pids());
        }
    }

    private RunResult serve(JobMessage job, List<Integer> gpus, int port, EngineHandle engine)
            throws InterruptedException {
        URI base = URI.create("http://127.0.0.1:" + port);
        long deadline = System.nanoTime() + Duration.ofSeconds(job.timeoutSeconds()).toNanos();
        while (!healthy(base)) {
            if (!engine.alive()) {
                return failed("engine exited during start", engine.logTail());
            }
            if (System.nanoTime() > deadline) {
                return RunResult.timedOut("engine not healthy within timeout_per_iteration of " + job.timeoutSeconds()
                        + " s; last output:\n" + shown(engine.logTail()));
            }
            Thread.sleep(settings.healthPollInterval().toMillis());
        }
        log.info("task {} experiment {}: engine healthy on port {}; benchmarking", job.taskId(), job.experimentId(),
                port);
        BenchmarkPlan plan;
        try {
            plan = BenchmarkPlan.of(job.benchmark(), gpus.size()).withWarmup(settings.warmupRequests());
        } catch (IllegalArgumentException e) {
            return RunResult.failed(FailureClass.INVALID_CONFIG, "benchmark: " + e.getMessage());
        }
        List<LevelResult> levels = new BenchmarkClient(base, job.model(), true, settings.requestTimeout()).run(plan);
        if (!engine.alive()) {
            return failed("engine died during the benchmark", engine.logTail());
        }
        if (levels.stream().allMatch(l -> l.succeeded() == 0)) {
            return RunResult.failed(FailureClass.BENCHMARK_ERROR, "no request succeeded: "
                    + levels.stream().map(l -> "c" + l.concurrency() + " " + l.errors()).toList());
        }
        ScoringSpec spec = scoring.apply(job);
        List<LevelMetrics> perLevel = levels.stream().map(LevelResult::toLevelMetrics).toList();
        Scorer.Score score = Scorer.score(spec.objective(), spec.slo(), perLevel);
        if (!score.feasible()) {
            // Not the engine's fault, but the configuration cannot meet the task: do not retry it.
            return RunResult.failed(FailureClass.INVALID_CONFIG, "SLO: every concurrency level was dropped: "
                    + score.dropped());
        }
        if (score.score().isEmpty()) {
            // The benchmark, not the configuration: a task whose traffic asks one output token has no TPOT.
            return RunResult.failed(FailureClass.BENCHMARK_ERROR, "the objective's metric "
                    + spec.objective().metric() + " was not measured at any kept concurrency level");
        }
        Map<String, Double> metrics = new LinkedHashMap<>(score.metrics());
        metrics.put(Metrics.GPUS, (double) gpus.size());
        return RunResult.succeeded(metrics);
    }

    /** {@code /health} answers 200; an engine without that endpoint (404) is asked {@code /v1/models}. */
    private boolean healthy(URI base) throws InterruptedException {
        int health = status(base.resolve("/health"));
        return health == 200 || (health == 404 && status(base.resolve("/v1/models")) == 200);
    }

    private int status(URI uri) throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * A failure classed by the engine's last {@link #LOG_LINES_READ} lines of output ({@link EngineFailures}),
     * its error naming the cause and quoting the last {@link #LOG_LINES_SHOWN}.
     */
    private static RunResult failed(String what, String tail) {
        EngineFailures.Verdict verdict = EngineFailures.classify(tail);
        return RunResult.failed(verdict.failure(), what + " (" + verdict.cause() + "); last output:\n" + shown(tail));
    }

    /** The last {@link #LOG_LINES_SHOWN} lines of {@code tail}. */
    static String shown(String tail) {
        List<String> lines = tail.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_LINES_SHOWN), lines.size()));
    }

    static ParameterSet params(JobMessage job) {
        return ParameterSet.of(job.parameters());
    }
}
