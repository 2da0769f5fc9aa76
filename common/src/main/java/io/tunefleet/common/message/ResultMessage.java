package io.tunefleet.common.message;

import io.tunefleet.common.experiment.FailureClass;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The end of one experiment attempt.
 *
 * @param outcome      SUCCEEDED, FAILED or TIMED_OUT
 * @param failureClass null when the attempt succeeded
 * @param metrics      measured figures by name, e.g. {@code ttft_mean_ms}
 * @param claimedAtMs  when the worker took the job, on a result that carries its claim: a run that ended
 *                     before the worker announced its claim (see {@link #carriedClaim}); null once the claim
 *                     went on its own, and from workers that never fold claims
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
        long finishedAtMs,
        Long claimedAtMs) implements WorkerMessage {

    /** A result that carries no claim: its claim was announced on its own, or the job was never run. */
    public ResultMessage(int schema, String workerId, long taskId, long experimentId, int attempt, Outcome outcome,
                         FailureClass failureClass, String error, Map<String, Double> metrics,
                         List<Integer> gpuIndices, long startedAtMs, long finishedAtMs) {
        this(schema, workerId, taskId, experimentId, attempt, outcome, failureClass, error, metrics, gpuIndices,
                startedAtMs, finishedAtMs, null);
    }

    /**
     * The claim this result carries, read as if it had come on its own just before the result: a
     * run short enough to end before its worker announced the claim sends the two as one message.
     * Its host is unknown (null): the coordinator knows hosts from heartbeats.
     */
    public Optional<ClaimMessage> carriedClaim() {
        return claimedAtMs == null ? Optional.empty() : Optional.of(new ClaimMessage(schema, workerId, null, taskId,
                experimentId, attempt, gpuIndices, claimedAtMs));
    }

    public enum Outcome {
        SUCCEEDED,
        FAILED,
        TIMED_OUT
    }
}
