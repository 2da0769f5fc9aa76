package io.tunefleet.common.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ListStrategyParsingTest {

    static String task(String optimization) {
        return """
                {"task_name": "t", "model": {"id_or_path": "m"}, "base_runtime": "sim",
                 "parameters": {"tp-size": [1, 2, 4], "sim-hold-ms": {"type": "integer", "low": 0, "high": 60000}},
                 "optimization": %s}""".formatted(optimization);
    }

    @Test
    void theListStrategyRunsTheListedConfigurationsAndDefaultsMaxIterationsToTheirNumber() {
        TaskSpec spec = TaskSpecParser.parse(task("""
                {"strategy": "list", "configurations": [
                  {"tp-size": 2, "sim-hold-ms": 1500}, {"tp-size": 1, "sim-hold-ms": 10}, {"tp-size": 4, "sim-hold-ms": 0}]}"""));

        assertThat(spec.optimization().strategy()).isEqualTo(StrategyKind.LIST);
        assertThat(spec.optimization().maxIterations()).isEqualTo(3);
        assertThat(spec.optimization().configurations()).extracting(c -> c.key())
                .containsExactly("sim-hold-ms=1500,tp-size=2", "sim-hold-ms=10,tp-size=1", "sim-hold-ms=0,tp-size=4");
    }

    @Test
    void everyBadConfigurationIsReportedByItsPath() {
        assertThatThrownBy(() -> TaskSpecParser.parse(task("""
                {"strategy": "list", "configurations": [
                  {"tp-size": 3, "sim-hold-ms": 10},
                  {"sim-hold-ms": 10},
                  {"tp-size": 1, "sim-hold-ms": 10, "extra": 1},
                  {"tp-size": 1, "sim-hold-ms": 99999999},
                  {"tp-size": 2, "sim-hold-ms": 5},
                  {"tp-size": 2, "sim-hold-ms": 5}]}""")))
                .isInstanceOfSatisfying(InvalidTaskException.class, e -> assertThat(e.problems())
                        .extracting(Problem::path)
                        .containsExactlyInAnyOrder("$.optimization.configurations[0].tp-size",
                                "$.optimization.configurations[1].tp-size",
                                "$.optimization.configurations[2].extra",
                                "$.optimization.configurations[3].sim-hold-ms",
                                "$.optimization.configurations[5]"));
    }

    @Test
    void theListStrategyNeedsItsConfigurationsAndOtherStrategiesRefuseThem() {
        assertThatThrownBy(() -> TaskSpecParser.parse(task("{\"strategy\": \"list\"}")))
                .isInstanceOfSatisfying(InvalidTaskException.class, e -> assertThat(e.problems())
                        .extracting(Problem::path).containsExactly("$.optimization.configurations"));
        assertThatThrownBy(() -> TaskSpecParser.parse(task("""
                {"strategy": "grid_search", "configurations": [{"tp-size": 1, "sim-hold-ms": 1}]}""")))
                .isInstanceOfSatisfying(InvalidTaskException.class, e -> assertThat(e.problems())
                        .extracting(Problem::path).containsExactly("$.optimization.configurations"));
    }
}
