package io.tunefleet.coordinator.store;

import io.tunefleet.common.experiment.ExperimentState;
import io.tunefleet.common.experiment.FailureClass;
import java.util.List;
import java.util.Map;

/**
 * A row of {@code experiments}. Times are epoch milliseconds; {@code finishedAt} is the worker's
 * end of the run, {@code committedAt} the coordinator's commit, when the window slot freed.
 * {@code objectiveValue} is what the task ranks by: the objective's metric made worse by the soft SLO
 * penalties the run ran into (its score); {@link #measured} gives the bare metric.
 */
public record ExperimentRecord(
        long id,
        long taskId,
        int seq,
        String configKey,
        Map<String, Object> parameters,
        int gpus,
        ExperimentState state,
        int attempt,
        String workerId,
        List<Integer> gpuIndices,
        FailureClass failureClass,
        Boolean retryable,
        String error,
        Map<String, Double> metrics,
        Double objectiveValue,
        long createdAt,
        Long queuedAt,
        Long startedAt,
        Long finishedAt,
        Long committedAt) {

    /** The run's bare value of {@code metric}, before any SLO penalty; null when it was not measured. */
    public Double measured(String metric) {
        return metrics == null ? null : metrics.get(metric);
    }

    /**
     * The objective's metric as measured for a scored experiment (null for one without an objective
     * value); its score where its metrics lack the metric (stored by an older coordinator).
     */
    public Double objectiveMeasured(String objectiveMetric) {
        if (objectiveValue == null) {
            return null;
        }
        Double bare = measured(objectiveMetric);
        return bare != null ? bare : objectiveValue;
    }
}
