package io.tunefleet.worker.runtime;

import io.tunefleet.common.experiment.FailureClass;
import io.tunefleet.common.message.ResultMessage.Outcome;
import java.util.Map;
import java.util.Set;

/**
 * How one run ended: metrics on success, a classified failure otherwise; and the pids its engine had,
 * which the GPUs' clean release looks for in nvidia-smi's list of processes (empty where the engine
 * had no process of its own, or none was started).
 */
public record RunResult(Outcome outcome, FailureClass failureClass, String error, Map<String, Double> metrics,
                        Set<Integer> enginePids) {

    public RunResult {
        enginePids = enginePids == null ? Set.of() : Set.copyOf(enginePids);
    }

    /** This result with {@code extra} metrics added, for a succeeded run; others are returned as they are. */
    public RunResult withMetrics(Map<String, Double> extra) {
        if (outcome != Outcome.SUCCEEDED || extra.isEmpty()) {
            return this;
        }
        Map<String, Double> merged = new java.util.LinkedHashMap<>(metrics);
        merged.putAll(extra);
        return new RunResult(outcome, failureClass, error, Map.copyOf(merged), enginePids);
    }

    /** This result naming the pids its engine had. */
    public RunResult withEnginePids(Set<Integer> pids) {
        return new RunResult(outcome, failureClass, error, metrics, pids);
    }

    public static RunResult succeeded(Map<String, Double> metrics) {
        return new RunResult(Outcome.SUCCEEDED, null, null, Map.copyOf(metrics), Set.of());
    }

    public static RunResult failed(FailureClass failureClass, String error) {
        return new RunResult(Outcome.FAILED, failureClass, error, Map.of(), Set.of());
    }

    public static RunResult timedOut(String error) {
        return new RunResult(Outcome.TIMED_OUT, FailureClass.STARTUP_TIMEOUT, error, Map.of(), Set.of());
    }
}
