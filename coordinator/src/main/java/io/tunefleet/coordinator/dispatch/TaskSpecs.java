package io.tunefleet.coordinator.dispatch;

import io.tunefleet.common.task.TaskSpec;
import io.tunefleet.common.task.TaskSpecParser;
import io.tunefleet.coordinator.store.TaskStore;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/** Task specs parsed once from the stored task files. */
@Component
class TaskSpecs {

    private final TaskStore tasks;
    private final Map<Long, TaskSpec> parsed = new ConcurrentHashMap<>();

    TaskSpecs(TaskStore tasks) {
        this.tasks = tasks;
    }

    TaskSpec of(long taskId) {
        return parsed.computeIfAbsent(taskId, id -> TaskSpecParser.parse(tasks.specJson(id)
                .orElseThrow(() -> new IllegalStateException("bug: no task " + id))));
    }
}
