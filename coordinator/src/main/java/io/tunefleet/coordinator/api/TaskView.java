package io.tunefleet.coordinator.api;

import io.tunefleet.common.experiment.ExperimentState;
import io.tunefleet.coordinator.store.TaskRecord;
import java.time.Instant;
import java.util.Map;

/** A task as the API shows it, with its experiments counted by state. */
record TaskView(
        long id,
        String name,
        String status,
        String strategy,
        String objective,
        int maxIterations,
        int maxParallelExperiments,
        String stopReason,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        Map<ExperimentState, Integer> experiments) {

    static TaskView of(TaskRecord t, Map<ExperimentState, Integer> counts) {
        return new TaskView(t.id(), t.name(), t.status().name(), t.strategy(), t.objective(), t.maxIterations(),
                t.maxParallel(), t.stopReason(), Instant.ofEpochMilli(t.createdAt()), instant(t.startedAt()),
                instant(t.finishedAt()), counts);
    }

    static Instant instant(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }
}
