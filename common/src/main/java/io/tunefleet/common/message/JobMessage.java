package io.tunefleet.common.message;

import io.tunefleet.common.task.BenchmarkSpec;
import java.util.SortedMap;

/**
 * One attempt of one experiment, published to {@code jobs.gpus.<gpus>}.
 *
 * @param attempt 1 for the first run, higher for re-queued attempts; with the experiment id it
 *                identifies the attempt, and results are committed at most once per attempt
 */
public record JobMessage(
        int schema,
        long taskId,
        long experimentId,
        int attempt,
        int gpus,
        String runtime,
        String model,
        String imageTag,
        SortedMap<String, Object> parameters,
        BenchmarkSpec benchmark,
        long timeoutSeconds) {

    public String attemptKey() {
        return experimentId + "#" + attempt;
    }
}
