package io.tunefleet.coordinator.strategy;

import io.tunefleet.common.task.TaskSpec;
import io.tunefleet.common.task.TaskSpecParser;
import java.util.List;

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

    /** 4 x 1,000 x 4 x 1,000 x 1,000 = 1.6e10 grid points. */
    static final String BILLIONS = """
            {"tp-size": [1, 2, 4, 8], "x": {"type": "integer", "low": 1, "high": 1000, "grid_points": 1000},
             "dp-size": [1, 2, 4, 8], "y": {"type": "integer", "low": 1, "high": 1000, "grid_points": 1000},
             "z": {"type": "integer", "low": 1, "high": 1000, "grid_points": 1000}}
            """;

    /** Constraints that allow 8 points of {@link #BILLIONS}, the first some 2e9 points into the grid. */
    static final String EIGHT_OF_BILLIONS = """
            ["tp-size * dp-size == 8", "x == 500 or x == 1000", "y <= 1", "z >= 1000"]""";

    /** The 8 points {@link #EIGHT_OF_BILLIONS} allows, in grid order. */
    static final List<String> EIGHT_IN_GRID_ORDER = List.of(
            "dp-size=8,tp-size=1,x=500,y=1,z=1000", "dp-size=8,tp-size=1,x=1000,y=1,z=1000",
            "dp-size=4,tp-size=2,x=500,y=1,z=1000", "dp-size=4,tp-size=2,x=1000,y=1,z=1000",
            "dp-size=2,tp-size=4,x=500,y=1,z=1000", "dp-size=2,tp-size=4,x=1000,y=1,z=1000",
            "dp-size=1,tp-size=8,x=500,y=1,z=1000", "dp-size=1,tp-size=8,x=1000,y=1,z=1000");
}
