package io.tunefleet.coordinator.strategy;

import io.tunefleet.common.task.TaskSpec;
import java.util.Set;

/** Builds the strategy a task asks for, continuing after the configurations already suggested. */
public final class Strategies {

    private Strategies() {
    }

    public static Strategy create(TaskSpec spec, Set<String> alreadySuggested) {
        return switch (spec.optimization().strategy()) {
            case GRID_SEARCH -> new GridSearch(spec.parameters(), alreadySuggested);
            case RANDOM -> new RandomSearch(spec.parameters(), spec.optimization().seed(), alreadySuggested);
            case BAYESIAN -> throw new IllegalArgumentException("bayesian search is not available yet");
        };
    }
}
