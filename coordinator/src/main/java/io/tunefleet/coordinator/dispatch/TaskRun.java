package io.tunefleet.coordinator.dispatch;

import io.tunefleet.common.task.TaskSpec;
import io.tunefleet.coordinator.strategy.Strategy;

/** What the dispatcher keeps in memory for a running task; rebuilt from the database after a restart. */
final class TaskRun {

    final long taskId;
    final TaskSpec spec;
    final Strategy strategy;
    /** The strategy has no new configuration left. */
    boolean exhausted;

    TaskRun(long taskId, TaskSpec spec, Strategy strategy) {
        this.taskId = taskId;
        this.spec = spec;
        this.strategy = strategy;
    }
}
