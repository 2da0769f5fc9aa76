package io.tunefleet.common.message;

import io.tunefleet.common.experiment.FailureClass;
import java.util.List;
import java.util.Map;

/**
 * The end of one experiment attempt.
 *
 * @param outcome      SUCCEEDED, FAILED or TIMED_OUT
 * @param failureClass null when the attempt succeeded
 * @param metrics      measured figures by name, e.g. {@code ttft_mean_ms}
 */
public record ResultMessage(
        int schema,
        String workerId,
        long taskId,
        long experimentId,
        int attempt,
        Outcome outcome,
        FailureClass failureClass,
        String error,
        Map<String, Double> metrics,
        List<Integer> gpuIndices,
        long startedAtMs,
        long finishedAtMs) implements WorkerMessage {

    public enum Outcome {
        SUCCEEDED,
        FAILED,
        TIMED_OUT
    }
}
