package io.tunefleet.common.message;

import java.util.List;

/** A worker reserved {@code gpuIndices} and took the job of this experiment attempt. */
public record ClaimMessage(
        int schema,
        String workerId,
        String host,
        long taskId,
        long experimentId,
        int attempt,
        List<Integer> gpuIndices,
        long claimedAtMs) implements WorkerMessage {
}
