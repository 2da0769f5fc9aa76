package io.tunefleet.coordinator.strategy;

import io.tunefleet.common.param.ParameterSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code list} strategy: exactly the configurations the task lists, in order, each once. For
 * re-running known candidates, and for the fleet benchmark's fixed workloads.
 */
final class ListedConfigurations implements Strategy {

    private final List<ParameterSet> configurations;
    private final Set<String> done;
    private int next;

    ListedConfigurations(List<ParameterSet> configurations, Set<String> alreadySuggested) {
        this.configurations = configurations;
        this.done = new HashSet<>(alreadySuggested);
    }

    @Override
    public Optional<ParameterSet> suggest() {
        while (next < configurations.size()) {
            ParameterSet candidate = configurations.get(next++);
            if (done.add(candidate.key())) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
