package io.tunefleet.common.message;

import java.util.List;

/**
 * A worker reserved {@code gpuIndices} and took the job of this experiment attempt.
 *
 * @param host the worker's host; null on a claim its result carried
 */
public record ClaimMessage(
        int schema,
        String workerId,
        String host,
        long taskId,
        long experimentId,
        int attempt,
        List<Integer> gpuIndices,
        long claimedAtMs) implements WorkerMessage {

    /**
     * Whether this claim came inside its result ({@link ResultMessage#carriedClaim}): its run is over
     * by then, and its host is unknown.
     */
    public boolean carried() {
        return host == null;
    }
}
