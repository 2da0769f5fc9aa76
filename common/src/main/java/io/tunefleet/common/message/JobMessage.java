package io.tunefleet.common.message;

import io.tunefleet.common.task.BenchmarkSpec;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * One attempt of one experiment, published to {@code jobs.gpus.<gpus>}.
 *
 * @param attempt   1 for the first run, higher for re-queued attempts; with the experiment id it
 *                  identifies the attempt, and results are committed at most once per attempt
 * @param objective the task's objective by its task-file name, so the worker scores toward it; null
 *                  in messages of older coordinators
 * @param slo       the task's {@code slo} block as written, for scoring; null or empty when none
 * @param engineCommand the task's own engine command (argv with placeholders); null for the preset
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
        long timeoutSeconds,
        String objective,
        Map<String, Object> slo,
        List<String> engineCommand) {

    /** A job for a preset engine. */
    public JobMessage(int schema, long taskId, long experimentId, int attempt, int gpus, String runtime, String model,
                      String imageTag, SortedMap<String, Object> parameters, BenchmarkSpec benchmark,
                      long timeoutSeconds, String objective, Map<String, Object> slo) {
        this(schema, taskId, experimentId, attempt, gpus, runtime, model, imageTag, parameters, benchmark,
                timeoutSeconds, objective, slo, null);
    }

    /** A job without scoring information: workers score it for minimum latency, without SLO. */
    public JobMessage(int schema, long taskId, long experimentId, int attempt, int gpus, String runtime, String model,
                      String imageTag, SortedMap<String, Object> parameters, BenchmarkSpec benchmark,
                      long timeoutSeconds) {
        this(schema, taskId, experimentId, attempt, gpus, runtime, model, imageTag, parameters, benchmark,
                timeoutSeconds, null, null, null);
    }

    public String attemptKey() {
        return attemptKey(experimentId, attempt);
    }

    /** Which attempt of which experiment of which task the job is. */
    public Attempt identity() {
        return new Attempt(taskId, experimentId, attempt);
    }

    /** The attempt a job is of, apart from what it asks to run: see {@link MessageCodec#jobAttempt}. */
    public record Attempt(long taskId, long experimentId, int attempt) {
    }

    /** How an attempt is named between workers and the coordinator: {@code experimentId#attempt}. */
    public static String attemptKey(long experimentId, int attempt) {
        return experimentId + "#" + attempt;
    }
}
