package io.tunefleet.coordinator.strategy;

import io.tunefleet.common.task.TaskSpec;
import java.util.Set;

/** Makes a task's search strategy; {@link Strategies#create} unless the coordinator is given another. */
@FunctionalInterface
public interface StrategyFactory {

    /** @param alreadySuggested keys of every configuration suggested before, see {@link Strategies#create} */
    Strategy create(TaskSpec spec, Set<String> alreadySuggested);
}
