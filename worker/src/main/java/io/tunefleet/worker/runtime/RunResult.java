package io.tunefleet.worker.runtime;

import io.tunefleet.common.experiment.FailureClass;
import io.tunefleet.common.message.ResultMessage.Outcome;
import java.util.Map;

/** How one run ended: metrics on success, a classified failure otherwise. */
public record RunResult(Outcome outcome, FailureClass failureClass, String error, Map<String, Double> metrics) {

    /** This result with {@code extra} metrics added, for a succeeded run; others are returned as they are. */
    public RunResult withMetrics(Map<String, Double> extra) {
        if (outcome != Outcome.SUCCEEDED || extra.isEmpty()) {
            return this;
        }
        Map<String, Double> merged = new java.util.LinkedHashMap<>(metrics);
        merged.putAll(extra);
        return new RunResult(outcome, failureClass, error, Map.copyOf(merged));
    }

    public static RunResult succeeded(Map<String, Double> metrics) {
        return new RunResult(Outcome.SUCCEEDED, null, null, Map.copyOf(metrics));
    }

    public static RunResult failed(FailureClass failureClass, String error) {
        return new RunResult(Outcome.FAILED, failureClass, error, Map.of());
    }

    public static RunResult timedOut(String error) {
        return new RunResult(Outcome.TIMED_OUT, FailureClass.STARTUP_TIMEOUT, error, Map.of());
    }
}
