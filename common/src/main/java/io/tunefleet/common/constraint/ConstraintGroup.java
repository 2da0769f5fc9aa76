package io.tunefleet.common.constraint;

import io.tunefleet.common.param.Parameter;
import io.tunefleet.common.param.ParameterSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Constraints linked by the parameters they name, directly or through one another, and those
 * parameters. No other group names one of them, so a group holds or fails apart from the others; see
 * {@link AllowedGrid}.
 */
final class ConstraintGroup {

    private final List<Constraint> constraints;
    private final int[] positions;
    private final List<String> names = new ArrayList<>();
    private final List<List<Object>> choices = new ArrayList<>();
    private final long size;
    /**
     * Once worked out, {@code prefixes[j]} holds bit {@code p} when an allowed combination begins
     * with the values numbered {@code p} in the sub-grid of the group's first {@code j + 1}
     * parameters (row-major); null until then.
     */
    private BitSet[] prefixes;
    private boolean anyAllowed;

    ConstraintGroup(List<Constraint> constraints, List<Parameter> parameters, List<List<Object>> values) {
        this.constraints = constraints;
        Set<String> named = new HashSet<>();
        constraints.forEach(c -> named.addAll(c.parameters()));
        this.positions = IntStream.range(0, parameters.size())
                .filter(i -> named.contains(parameters.get(i).name())).toArray();
        long combinations = 1;
        for (int i : positions) {
            names.add(parameters.get(i).name());
            choices.add(values.get(i));
            int n = values.get(i).size();
            combinations = combinations > Long.MAX_VALUE / n ? Long.MAX_VALUE : combinations * n;
        }
        this.size = combinations;
    }

    /** The parameters the constraints name, by index in the space, in the space's order. */
    int[] positions() {
        return positions;
    }

    /** Combinations of the group's parameters, saturating at {@link Long#MAX_VALUE}. */
    long size() {
        return size;
    }

    boolean workedOut() {
        return prefixes != null;
    }

    /** Once worked out: whether any combination satisfies the constraints. */
    boolean anyAllowed() {
        return anyAllowed;
    }

    /** Evaluates every combination; only for a {@link #size()} that fits an int. */
    void workOut() {
        prefixes = new BitSet[positions.length];
        Arrays.setAll(prefixes, j -> new BitSet());
        int[] picked = new int[positions.length];
        for (int t = 0; t < size; t++) {
            int rest = t;
            for (int j = positions.length - 1; j >= 0; j--) {
                picked[j] = rest % choices.get(j).size();
                rest /= choices.get(j).size();
            }
            if (allows(picked)) {
                anyAllowed = true;
                int prefix = t;
                for (int j = positions.length - 1; j >= 0; j--) {
                    prefixes[j].set(prefix);
                    prefix /= choices.get(j).size();
                }
            }
        }
    }

    /**
     * Whether the values a walk at {@code digits} has for the group's parameters up to the
     * {@code place}-th can still lead to an allowed combination. For a group not worked out that
     * is known only at its last parameter.
     */
    boolean admits(int[] digits, int place) {
        if (!workedOut()) {
            return place < positions.length - 1 || allows(Arrays.stream(positions).map(i -> digits[i]).toArray());
        }
        int prefix = 0;
        for (int j = 0; j <= place; j++) {
            prefix = prefix * choices.get(j).size() + digits[positions[j]];
        }
        return prefixes[place].get(prefix);
    }

    /** Whether the combination that picks value {@code picked[j]} of the group's j-th parameter is allowed. */
    private boolean allows(int[] picked) {
        Map<String, Object> combination = new LinkedHashMap<>();
        for (int j = 0; j < picked.length; j++) {
            combination.put(names.get(j), choices.get(j).get(picked[j]));
        }
        ParameterSet config = ParameterSet.of(combination);
        return constraints.stream().allMatch(c -> c.test(config));
    }
}
