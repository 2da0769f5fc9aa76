package io.tunefleet.coordinator.strategy;

import io.tunefleet.common.task.TaskSpec;
import io.tunefleet.common.task.TaskSpecParser;

/** Task specs for strategy tests, built through the real parser. */
final class Tasks {

    private Tasks() {
    }

    /** A task with the given parameters JSON, strategy, objective and extra optimization/root fields. */
    static TaskSpec task(String parameters, String strategy, String objective, String extraOptimization,
                         String constraints) {
        return task(parameters, strategy, objective, extraOptimization, constraints, 11);
    }

    static TaskSpec task(String parameters, String strategy, String objective, String extraOptimization,
                         String constraints, long seed) {
        return TaskSpecParser.parse("""
                {"task_name": "t", "model": {"id_or_path": "m"}, "base_runtime": "sim",
                 "parameters": %s,
                 "constraints": %s,
                 "optimization": {"strategy": "%s", "objective": "%s", "seed": %d%s}}
                """.formatted(parameters, constraints, strategy, objective, seed,
                extraOptimization.isEmpty() ? "" : ", " + extraOptimization));
    }

    static final String ENGINE_SPACE = """
            {"tp-size": [1, 2, 4, 8], "dp-size": [1, 2, 4, 8],
             "mem-fraction-static": {"type": "continuous", "low": 0.6, "high": 0.95},
             "chunked-prefill-size": {"type": "integer", "low": 1024, "high": 16384, "log": true},
             "schedule-policy": ["fcfs", "lpm", "random"]}
            """;
}
