package io.tunefleet.coordinator.strategy;

import io.tunefleet.common.task.OptimizationSpec;
import io.tunefleet.common.task.TaskSpec;
import java.util.Set;

/** Builds the strategy a task asks for, continuing after the configurations already suggested. */
public final class Strategies {

    private Strategies() {
    }

    /**
     * @param alreadySuggested keys of every configuration suggested before (after a restart: all the
     *                         task's experiments); those not observed afterwards count as pending
     */
    public static Strategy create(TaskSpec spec, Set<String> alreadySuggested) {
        OptimizationSpec o = spec.optimization();
        return switch (o.strategy()) {
            case GRID_SEARCH -> new GridSearch(spec.parameters(), spec.constraints(), alreadySuggested);
            case RANDOM -> new RandomSearch(spec.parameters(), spec.constraints(), o.seed(), alreadySuggested);
            case BAYESIAN -> new BayesianSearch(spec.parameters(), spec.constraints(), o.objective().higherIsBetter(),
                    o.seed(), o.initialRandomPoints(spec.parameters().parameters().size()), alreadySuggested);
            case LIST -> new ListedConfigurations(o.configurations(), alreadySuggested);
        };
    }
}
