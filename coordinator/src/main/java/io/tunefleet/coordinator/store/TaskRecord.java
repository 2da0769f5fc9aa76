package io.tunefleet.coordinator.store;

import io.tunefleet.common.experiment.TaskStatus;

/** A row of {@code tasks}. Times are epoch milliseconds. */
public record TaskRecord(
        long id,
        String name,
        TaskStatus status,
        String strategy,
        String objective,
        int maxIterations,
        int maxParallel,
        String stopReason,
        long createdAt,
        Long startedAt,
        Long finishedAt) {
}
