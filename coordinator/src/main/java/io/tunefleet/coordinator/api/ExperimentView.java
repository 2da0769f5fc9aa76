package io.tunefleet.coordinator.api;

import io.tunefleet.coordinator.store.ExperimentRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An experiment as the API shows it: {@code objectiveValue} is the objective's metric as measured,
 * {@code score} what the task ranks by (that metric made worse by soft SLO penalties; the same value
 * when the run kept within its bounds).
 */
record ExperimentView(
        long id,
        long taskId,
        int seq,
        Map<String, Object> parameters,
        int gpus,
        String state,
        int attempt,
        String workerId,
        List<Integer> gpuIndices,
        String failureClass,
        Boolean retryable,
        String error,
        Map<String, Double> metrics,
        Double objectiveValue,
        Double score,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt) {

    /** @param objectiveMetric the metric the experiment's task optimizes */
    static ExperimentView of(ExperimentRecord e, String objectiveMetric) {
        return new ExperimentView(e.id(), e.taskId(), e.seq(), e.parameters(), e.gpus(), e.state().name(),
                e.attempt(), e.workerId(), e.gpuIndices(),
                e.failureClass() == null ? null : e.failureClass().name(), e.retryable(), e.error(), e.metrics(),
                e.objectiveMeasured(objectiveMetric), e.objectiveValue(),
                Instant.ofEpochMilli(e.createdAt()), TaskView.instant(e.startedAt()), TaskView.instant(e.finishedAt()));
    }
}
