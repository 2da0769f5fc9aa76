package io.tunefleet.coordinator.strategy;

import static io.tunefleet.coordinator.strategy.StrategiesTest.drain;
import static io.tunefleet.coordinator.strategy.StrategiesTest.keys;
import static org.assertj.core.api.Assertions.assertThat;

import io.tunefleet.common.task.TaskSpec;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dispatcher asks every task's strategy on one thread: a grid search must not step through the
 * points its constraints rule out one by one. The timeouts guard against a hang, they time nothing.
 */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GridSearchTest {

    @Test
    void onAGridOfBillionsWhereConstraintsAllowAFewPointsItSuggestsExactlyThoseInGridOrderThenEnds() {
        TaskSpec task = Tasks.task(Tasks.BILLIONS, "grid_search", "minimize_latency", "", Tasks.EIGHT_OF_BILLIONS);
        assertThat(task.parameters().gridSize()).isEqualTo(16_000_000_000L);
        Strategy grid = Strategies.create(task, Set.of());

        assertThat(keys(drain(grid, 100))).isEqualTo(Tasks.EIGHT_IN_GRID_ORDER);
        assertThat(grid.suggest()).as("exhausted").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 8})
    void onAGridOfBillionsRebuiltAfterKSuggestionsItContinuesWhereItWas(int k) {
        TaskSpec task = Tasks.task(Tasks.BILLIONS, "grid_search", "minimize_latency", "", Tasks.EIGHT_OF_BILLIONS);

        Strategy resumed = Strategies.create(task, new HashSet<>(Tasks.EIGHT_IN_GRID_ORDER.subList(0, k)));

        assertThat(keys(drain(resumed, 100))).isEqualTo(Tasks.EIGHT_IN_GRID_ORDER.subList(k, 8));
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // ten million constraint evaluations
    void constraintsThatRuleOutAGridTooLargeToWorkOutEndTheSearchAfterTenMillionPointsSayingSo() {
        TaskSpec task = Tasks.task(Tasks.BILLIONS, "grid_search", "minimize_latency", "", "[\"x + y + z < 0\"]");
        Strategy grid = Strategies.create(task, Set.of());

        while (grid.suggest().isEmpty() && grid.ended().isEmpty()) {
            // each call rejects its budget of points, then the next goes on
        }

        assertThat(grid.ended()).as("ended, not paused")
                .contains("search ended: 10,000,000 grid points in a row broke the constraints");
        assertThat(Strategies.create(Tasks.task(Tasks.BILLIONS, "grid_search", "minimize_latency", "",
                Tasks.EIGHT_OF_BILLIONS), Set.of()).ended()).contains("search space exhausted");
    }

    @Test
    void whenTheConstrainedParametersHaveTooManyCombinationsToWorkOutEachCallIsBoundedAndTheNextGoesOn() {
        // x, y and z together: 1e9 combinations, more than the submit check works out, so the task is
        // accepted. y = 300 comes first after 299,000 combinations the constraint rules out.
        TaskSpec task = Tasks.task(Tasks.BILLIONS, "grid_search", "minimize_latency", "",
                "[\"y == 300 and x + z > 0\"]");
        Strategy grid = Strategies.create(task, Set.of());

        assertThat(grid.suggest()).isEmpty();
        assertThat(grid.ended()).as("paused, not at the end").isEmpty();
        assertThat(grid.suggest()).isEmpty();
        assertThat(grid.suggest()).hasValueSatisfying(p -> assertThat(p.key()).contains("x=1,y=300,z=1"));
    }
}
