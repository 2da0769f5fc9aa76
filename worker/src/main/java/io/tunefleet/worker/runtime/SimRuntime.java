package io.tunefleet.worker.runtime;

import io.tunefleet.common.message.JobMessage;
import io.tunefleet.common.param.ParameterSet;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A simulated engine: holds its GPUs for a set time and reports figures from
 * {@link SimPerformanceModel} for the task's first traffic scenario. Latencies are those of the
 * lowest concurrency level, throughput that of the highest. It starts no process: its results name no
 * engine pids.
 */
public final class SimRuntime implements ExperimentRuntime {

    /** A job parameter that sets how long this experiment holds its GPUs, in ms (the fleet benchmark's workloads). */
    public static final String HOLD_PARAMETER = "sim-hold-ms";
    private static final Pattern NUMBERS = Pattern.compile("\\d+(?:\\.\\d+)?");

    private final Duration runTime;

    /** @param runTime how long each simulated experiment holds its GPUs */
    public SimRuntime(Duration runTime) {
        this.runTime = runTime;
    }

    @Override
    public RunResult run(JobMessage job, List<Integer> gpuIndices) throws InterruptedException {
        ParameterSet params = ParameterSet.of(job.parameters());
        Optional<SimPerformanceModel.Failure> failure = SimPerformanceModel.failure(params, job.model());
        // A config that fails does so early, at engine start.
        long holdMillis = failure.isPresent() ? runTime.toMillis() / 4 : runTime.toMillis();
        if (job.parameters().get(HOLD_PARAMETER) instanceof Number hold) {
            holdMillis = hold.longValue();
        }
        long timeoutMillis = Duration.ofSeconds(job.timeoutSeconds()).toMillis();
        if (holdMillis > timeoutMillis) {
            Thread.sleep(timeoutMillis);
            return RunResult.timedOut("engine ran past timeout_per_iteration of " + job.timeoutSeconds() + " s");
        }
        Thread.sleep(holdMillis);
        if (failure.isPresent()) {
            return RunResult.failed(failure.get().failureClass(), failure.get().message());
        }
        int[] tokens = tokens(job.benchmark().trafficScenarios().get(0));
        List<Integer> levels = job.benchmark().numConcurrency();
        Map<String, Double> low = SimPerformanceModel.predict(params, job.model(), levels.get(0), tokens[0], tokens[1]);
        Map<String, Double> high = SimPerformanceModel.predict(params, job.model(), levels.get(levels.size() - 1),
                tokens[0], tokens[1]);
        Map<String, Double> metrics = new LinkedHashMap<>(low);
        metrics.put("output_tokens_per_s", high.get("output_tokens_per_s"));
        metrics.put("output_tokens_per_s_per_gpu", high.get("output_tokens_per_s_per_gpu"));
        metrics.put("requests_per_s", high.get("requests_per_s"));
        metrics.put("gpus", (double) gpuIndices.size());
        return RunResult.succeeded(metrics);
    }

    /** Input and output tokens of a scenario: D(in,out) or the means of N(..)/(..) and U(..)/(..). */
    static int[] tokens(String scenario) {
        Matcher m = NUMBERS.matcher(scenario);
        double[] n = new double[4];
        int count = 0;
        while (m.find() && count < 4) {
            n[count++] = Double.parseDouble(m.group());
        }
        if (scenario.startsWith("D")) {
            return new int[] {(int) n[0], (int) n[1]};
        }
        if (scenario.startsWith("U")) {
            return new int[] {(int) ((n[0] + n[1]) / 2), (int) ((n[2] + n[3]) / 2)};
        }
        return new int[] {(int) n[0], (int) n[2]};
    }
}
