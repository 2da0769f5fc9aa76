package io.tunefleet.coordinator.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunefleet.common.task.TaskSpec;
import io.tunefleet.common.task.TaskSpecParser;
import org.junit.jupiter.api.Test;

/** A task's spec is parsed once: the dispatcher reuses the one its submit parsed. */
class TaskSpecsTest {

    @Test
    void aSubmittedSpecIsUsedWithoutReadingTheTaskFileAgain() {
        TaskSpec spec = TaskSpecParser.parse("""
                {"task_name": "t", "model": {"id_or_path": "m"}, "base_runtime": "sim",
                 "parameters": {"tp-size": [1, 2]}, "optimization": {"strategy": "grid_search"}}""");
        TaskSpecs specs = new TaskSpecs(null); // no store: a look-up there would throw

        specs.remember(7, spec);

        assertThat(specs.of(7)).isSameAs(spec);
    }
}
