package io.tunefleet.coordinator.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tunefleet.common.param.ParameterSet;
import io.tunefleet.common.task.TaskSpec;
import io.tunefleet.common.task.TaskSpecParser;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class StrategiesTest {

    /** 2 x 2 x 2 = 8 configurations. */
    static final String SMALL = """
            {"tp-size": [1, 2], "schedule-policy": ["lpm", "fcfs"], "mem-fraction-static": [0.8, 0.9]}""";
    /** 3 x 4 = 12 configurations: small enough that random draws repeat often. */
    static final String TWELVE = """
            {"tp-size": [1, 2, 4], "max-running-requests": {"type": "integer", "low": 16, "high": 19}}""";
    /** Large: a continuous parameter makes it infinite. */
    static final String LARGE = """
            {"tp-size": [1, 2, 4, 8], "mem-fraction-static": {"type": "continuous", "low": 0.5, "high": 0.95},
             "chunked-prefill-size": {"type": "integer", "low": 512, "high": 16384, "log": true}}""";

    // ---- grid search ------------------------------------------------------------------------------

    @Test
    void gridVisitsTheFullProductInFileOrderWithTheLastParameterFastestThenStops() {
        Strategy grid = Strategies.create(task("grid_search", SMALL, 0), Set.of());
        assertThat(grid).isInstanceOf(GridSearch.class);

        List<Map<String, Object>> visited = drain(grid, 100).stream().map(p -> (Map<String, Object>) p.values())
                .toList();

        assertThat(visited).containsExactly(
                point(1, "lpm", 0.8), point(1, "lpm", 0.9), point(1, "fcfs", 0.8), point(1, "fcfs", 0.9),
                point(2, "lpm", 0.8), point(2, "lpm", 0.9), point(2, "fcfs", 0.8), point(2, "fcfs", 0.9));
        assertThat(grid.suggest()).as("exhausted grid").isEmpty();
        assertThat(grid.suggest()).as("stays exhausted").isEmpty();
    }

    @Test
    void gridOrderIsTheSameOnEveryBuild() {
        assertThat(keys(drain(Strategies.create(task("grid_search", LARGE, 0), Set.of()), 500)))
                .isEqualTo(keys(drain(Strategies.create(task("grid_search", LARGE, 0), Set.of()), 500)))
                .doesNotHaveDuplicates()
                .hasSize((int) task("grid_search", LARGE, 0).parameters().gridSize());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3, 7, 8})
    void gridRebuiltAfterKSuggestionsContinuesExactlyWhereTheUninterruptedRunWas(int k) {
        TaskSpec spec = task("grid_search", SMALL, 0);
        List<String> uninterrupted = keys(drain(Strategies.create(spec, Set.of()), 100));

        Strategy resumed = Strategies.create(spec, new HashSet<>(uninterrupted.subList(0, k)));

        assertThat(keys(drain(resumed, 100))).isEqualTo(uninterrupted.subList(k, uninterrupted.size()));
    }

    // ---- random search ----------------------------------------------------------------------------

    @Test
    void randomWithTheSameSeedSuggestsTheSameSequence() {
        List<String> first = keys(drain(Strategies.create(task("random", LARGE, 7), Set.of()), 30));
        List<String> second = keys(drain(Strategies.create(task("random", LARGE, 7), Set.of()), 30));

        assertThat(first).hasSize(30).isEqualTo(second);
    }

    @Test
    void randomWithDifferentSeedsSuggestsDifferentSequences() {
        List<String> seven = keys(drain(Strategies.create(task("random", LARGE, 7), Set.of()), 10));
        List<String> eight = keys(drain(Strategies.create(task("random", LARGE, 8), Set.of()), 10));

        assertThat(seven).isNotEqualTo(eight);
    }

    @Test
    void randomVisitsEveryPointOfASmallFiniteSpaceOnceThenReportsItExhausted() {
        Strategy random = Strategies.create(task("random", TWELVE, 3), Set.of());
        assertThat(random).isInstanceOf(RandomSearch.class);

        List<String> visited = keys(drain(random, 100));

        List<String> grid = keys(drain(Strategies.create(task("grid_search", TWELVE, 0), Set.of()), 100));
        assertThat(visited).hasSize(12).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(grid)
                .isNotEqualTo(grid);
        assertThat(random.suggest()).isEmpty();
    }

    @Test
    void randomDrawsIntegersFromTheWholeRangeNotOnlyTheGridPoints() {
        // 1000 integers; grid search would visit only 5 of them (grid_points defaults to 5)
        String wide = """
                {"max-running-requests": {"type": "integer", "low": 1, "high": 1000}}""";
        TaskSpec spec = task("random", wide, 1);
        assertThat(spec.parameters().gridSize()).isEqualTo(5);

        List<String> visited = keys(drain(Strategies.create(spec, Set.of()), 200));

        assertThat(visited).as("a space of 1000 configurations is not exhausted after a few")
                .hasSize(200).doesNotHaveDuplicates();
    }

    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void randomFindsTheFewConfigurationsConstraintsAllowInAHugeSpaceThenReportsItExhausted() {
        // 8 allowed of 1.6e10: random draws practically never hit one.
        TaskSpec spec = Tasks.task(Tasks.BILLIONS, "random", "minimize_latency", "", Tasks.EIGHT_OF_BILLIONS);
        Strategy random = Strategies.create(spec, Set.of());

        assertThat(keys(drain(random, 100))).containsExactlyInAnyOrderElementsOf(Tasks.EIGHT_IN_GRID_ORDER);
        assertThat(random.suggest()).isEmpty();
        Strategy resumed = Strategies.create(spec, new HashSet<>(Tasks.EIGHT_IN_GRID_ORDER.subList(0, 3)));
        assertThat(keys(drain(resumed, 100))).as("rebuilt after three")
                .containsExactlyInAnyOrderElementsOf(Tasks.EIGHT_IN_GRID_ORDER.subList(3, 8));
    }

    @Test
    void randomNeverRepeatsInALargeSpace() {
        assertThat(keys(drain(Strategies.create(task("random", LARGE, 11), Set.of()), 300)))
                .hasSize(300).doesNotHaveDuplicates();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4, 11, 12})
    void randomRebuiltAfterKSuggestionsContinuesExactlyWhereTheUninterruptedRunWas(int k) {
        TaskSpec spec = task("random", TWELVE, 5);
        List<String> uninterrupted = keys(drain(Strategies.create(spec, Set.of()), 100));
        assertThat(uninterrupted).hasSize(12);

        Strategy resumed = Strategies.create(spec, new HashSet<>(uninterrupted.subList(0, k)));

        assertThat(keys(drain(resumed, 100))).isEqualTo(uninterrupted.subList(k, uninterrupted.size()));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 10, 25})
    void randomInALargeSpaceRebuiltAfterKSuggestionsContinuesWithTheSameNextSuggestions(int k) {
        TaskSpec spec = task("random", LARGE, 9);
        List<String> uninterrupted = keys(drain(Strategies.create(spec, Set.of()), 40));

        Strategy resumed = Strategies.create(spec, new LinkedHashSet<>(uninterrupted.subList(0, k)));

        assertThat(keys(drain(resumed, 40 - k))).isEqualTo(uninterrupted.subList(k, 40));
    }

    @Test
    void bayesianTasksGetTheTreeParzenEstimator() {
        TaskSpec grid = task("grid_search", SMALL, 0);
        TaskSpec bayesian = new TaskSpec(grid.name(), grid.description(), grid.model(), grid.baseRuntime(),
                grid.runtimeImageTag(), grid.parameters(),
                new io.tunefleet.common.task.OptimizationSpec(io.tunefleet.common.task.StrategyKind.BAYESIAN,
                        grid.optimization().objective(), 10, 1, grid.optimization().timeoutPerIteration(), 1, 0),
                grid.benchmark(), grid.slo(), grid.json());

        assertThat(Strategies.create(bayesian, Set.of())).isInstanceOf(BayesianSearch.class);
    }

    @Test
    void theListStrategySuggestsTheListedConfigurationsInOrderAndResumesAfterThoseDone() {
        TaskSpec spec = TaskSpecParser.parse("""
                {"task_name": "t", "model": {"id_or_path": "/models/m"}, "base_runtime": "sim",
                 "parameters": {"tp-size": [1, 2, 4]},
                 "optimization": {"strategy": "list", "configurations": [{"tp-size": 4}, {"tp-size": 1}, {"tp-size": 2}]}}""");

        assertThat(keys(drain(Strategies.create(spec, Set.of()), 5))).containsExactly("tp-size=4", "tp-size=1", "tp-size=2");
        assertThat(keys(drain(Strategies.create(spec, Set.of("tp-size=4")), 5))).containsExactly("tp-size=1", "tp-size=2");
    }

    // ---- helpers --------------------------------------------------------------------------------

    static TaskSpec task(String strategy, String parameters, int seed) {
        return TaskSpecParser.parse("""
                {"task_name": "t", "model": {"id_or_path": "/models/m"}, "base_runtime": "sim",
                 "parameters": %s,
                 "optimization": {"strategy": "%s", "seed": %d, "max_iterations": 1000}}"""
                .formatted(parameters, strategy, seed));
    }

    static List<ParameterSet> drain(Strategy strategy, int max) {
        List<ParameterSet> out = new ArrayList<>();
        for (int i = 0; i < max; i++) {
            Optional<ParameterSet> next = strategy.suggest();
            if (next.isEmpty()) {
                break;
            }
            out.add(next.get());
        }
        return out;
    }

    static List<String> keys(List<ParameterSet> sets) {
        return sets.stream().map(ParameterSet::key).toList();
    }

    static Map<String, Object> point(long tp, String policy, double mem) {
        return Map.of("tp-size", tp, "schedule-policy", policy, "mem-fraction-static", mem);
    }
}
