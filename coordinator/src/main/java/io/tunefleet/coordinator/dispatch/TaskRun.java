package io.tunefleet.coordinator.dispatch;

import io.tunefleet.common.task.TaskSpec;
import io.tunefleet.coordinator.strategy.StoppingRules;
import io.tunefleet.coordinator.strategy.Strategy;

/** What the dispatcher keeps in memory for a running task; rebuilt from the database after a restart. */
final class TaskRun {

    final long taskId;
    final TaskSpec spec;
    final Strategy strategy;
    final StoppingRules stopping;
    /** Why the strategy suggests nothing more; null while it may. */
    String searchEnded;
    /** Why a stopping rule ended the search; experiments in flight still finish. */
    String stopReason;

    TaskRun(long taskId, TaskSpec spec, Strategy strategy) {
        this.taskId = taskId;
        this.spec = spec;
        this.strategy = strategy;
        this.stopping = StoppingRules.of(spec.optimization());
    }
}
