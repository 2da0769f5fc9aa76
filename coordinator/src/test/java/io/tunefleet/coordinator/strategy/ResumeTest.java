package io.tunefleet.coordinator.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunefleet.common.experiment.FailureClass;
import io.tunefleet.common.param.ParameterSet;
import io.tunefleet.common.task.TaskSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A coordinator that restarts rebuilds each strategy from the database: every configuration suggested
 * so far, and the results of those that finished. The rebuilt strategy must suggest what the original
 * would have.
 */
class ResumeTest {

    static Outcome outcome(ParameterSet p) {
        if ((Long) p.get("tp-size") == 1 && ((Number) p.get("mem-fraction-static")).doubleValue() > 0.9) {
            return Outcome.failed(FailureClass.OUT_OF_MEMORY);
        }
        return Outcome.succeeded(BayesianSearchTest.latency(p));
    }

    @ParameterizedTest
    @ValueSource(strings = {"grid_search", "random", "bayesian"})
    void aRebuiltStrategySuggestsWhatTheOriginalWouldHave(String strategy) {
        TaskSpec task = Tasks.task(Tasks.ENGINE_SPACE, strategy, "minimize_latency", "\"n_initial_random\": 5",
                "[\"tp-size * dp-size <= 8\"]");
        Strategy original = Strategies.create(task, Set.of());
        Set<String> suggested = new LinkedHashSet<>();
        List<ParameterSet> pending = new ArrayList<>();
        List<ParameterSet> finished = new ArrayList<>();
        for (int step = 0; step < 14; step++) { // a window of 3: suggest until full, then one result
            while (pending.size() < 3) {
                ParameterSet p = original.suggest().orElseThrow();
                suggested.add(p.key());
                pending.add(p);
            }
            ParameterSet done = pending.remove(0);
            original.observe(done, outcome(done));
            finished.add(done);
        }

        // Restart: all suggested keys, then the finished results in another order than they arrived.
        Strategy rebuilt = Strategies.create(task, suggested);
        List<ParameterSet> replay = new ArrayList<>(finished);
        Collections.reverse(replay);
        replay.forEach(p -> rebuilt.observe(p, outcome(p)));

        List<String> fromOriginal = new ArrayList<>();
        List<String> fromRebuilt = new ArrayList<>();
        for (int step = 0; step < 8; step++) {
            ParameterSet a = original.suggest().orElseThrow();
            ParameterSet b = rebuilt.suggest().orElseThrow();
            fromOriginal.add(a.key());
            fromRebuilt.add(b.key());
            pending.add(a);
            ParameterSet done = pending.remove(0);
            original.observe(done, outcome(done));
            rebuilt.observe(done, outcome(done));
        }
        assertThat(fromRebuilt).isEqualTo(fromOriginal);
        assertThat(fromOriginal).doesNotContainAnyElementsOf(suggested);
    }

    @ParameterizedTest
    @ValueSource(strings = {"grid_search", "random", "bayesian"})
    void theSameSeedGivesTheSameSearchAndAnotherSeedAnother(String strategy) {
        List<String> a = run(strategy, 5);
        assertThat(run(strategy, 5)).isEqualTo(a);
        if (!strategy.equals("grid_search")) {
            assertThat(run(strategy, 6)).isNotEqualTo(a);
        }
    }

    private static List<String> run(String strategy, long seed) {
        Strategy s = Strategies.create(Tasks.task(Tasks.ENGINE_SPACE, strategy, "minimize_latency", "", "[]", seed),
                Set.of());
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ParameterSet p = s.suggest().orElseThrow();
            keys.add(p.key());
            s.observe(p, outcome(p));
        }
        return keys;
    }

    @ParameterizedTest
    @ValueSource(strings = {"grid_search", "random", "bayesian"})
    void everyStrategySkipsConfigurationsThatViolateConstraints(String strategy) {
        TaskSpec task = Tasks.task("{\"tp-size\": [1, 2, 4, 8], \"dp-size\": [1, 2, 4, 8], \"x\": [1, 2, 3]}",
                strategy, "minimize_latency", "", "[\"tp-size * dp-size <= 8\", \"tp-size % dp-size == 0\"]");
        Strategy s = Strategies.create(task, Set.of());
        List<ParameterSet> all = new ArrayList<>();
        for (ParameterSet p = s.suggest().orElse(null); p != null; p = s.suggest().orElse(null)) {
            all.add(p);
            s.observe(p, Outcome.succeeded(((Number) p.get("x")).doubleValue()));
        }
        // (1,1) (2,1) (2,2) (4,1) (4,2) (8,1): 6 pairs x 3 values of x
        assertThat(all).hasSize(18);
        assertThat(all).allSatisfy(p -> {
            long tp = (Long) p.get("tp-size");
            long dp = (Long) p.get("dp-size");
            assertThat(tp * dp).isLessThanOrEqualTo(8);
            assertThat(tp % dp).isZero();
        });
        assertThat(all.stream().map(ParameterSet::key).distinct()).hasSize(18);
    }
}
