package io.tunefleet.common.task;

import java.util.Arrays;
import java.util.Optional;

/** Search strategies, by the names task files use. */
public enum StrategyKind {
    GRID_SEARCH("grid_search"),
    RANDOM("random"),
    BAYESIAN("bayesian"),
    /** Exactly the configurations listed in {@code optimization.configurations}, in order. */
    LIST("list");

    private final String wireName;

    StrategyKind(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<StrategyKind> fromWireName(String name) {
        return Arrays.stream(values()).filter(k -> k.wireName.equals(name)).findFirst();
    }
}
