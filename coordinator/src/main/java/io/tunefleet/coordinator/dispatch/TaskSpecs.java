package io.tunefleet.coordinator.dispatch;

import io.tunefleet.common.task.TaskSpec;
import io.tunefleet.common.task.TaskSpecParser;
import io.tunefleet.coordinator.store.TaskStore;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Task specs parsed once: kept from the submit that parsed them to validate, else parsed from the
 * stored task file (a coordinator resuming its tasks). A listed task of thousands of configurations
 * takes tens of ms to parse.
 */
@Component
class TaskSpecs {

    private final TaskStore tasks;
    private final Map<Long, TaskSpec> parsed = new ConcurrentHashMap<>();

    TaskSpecs(TaskStore tasks) {
        this.tasks = tasks;
    }

    /** The spec of a task just stored, parsed from the file stored with it. */
    void remember(long taskId, TaskSpec spec) {
        parsed.putIfAbsent(taskId, spec);
    }

    TaskSpec of(long taskId) {
        return parsed.computeIfAbsent(taskId, id -> TaskSpecParser.parseStored(tasks.specJson(id)
                .orElseThrow(() -> new IllegalStateException("bug: no task " + id))));
    }
}
