package io.tunefleet.common.constraint;

import io.tunefleet.common.param.Parameter;
import io.tunefleet.common.param.ParameterSet;
import io.tunefleet.common.param.ParameterSpace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The grid points that satisfy a task's constraints, in grid order (row-major, the last parameter
 * fastest), walked without stepping through the points the constraints rule out.
 *
 * <p>Whether a point is allowed depends only on its values of the parameters the constraints name,
 * and constraints that share no parameter hold or fail apart. So the constraints are split into
 * groups that share no parameter, and a group's sub-grid (its parameters only) is evaluated once, up
 * to {@link #ENUMERATE_UP_TO} combinations in all, however large the whole grid is. The walk then
 * takes a value of a grouped parameter only when it begins, with the group's values before it, an
 * allowed combination: every value taken leads to an allowed point, so the work between two points
 * is bounded by the parameters' value counts.
 *
 * <p>A group whose sub-grid does not fit that limit is not worked out: the walk tests its
 * combinations as it meets them, and pauses after {@link #MAX_REJECTED_IN_A_ROW} rejected in a row
 * ({@link Walk#paused}): asked again, it goes on from where it stopped. So one step's work is bounded
 * either way. After {@link #GIVE_UP_AFTER} rejected in a row over any number of steps the walk ends
 * ({@link Walk#gaveUp}): constraints that allow nothing of a grid too large to work out would
 * otherwise keep a task running, and its dispatcher busy, for hours.
 */
public final class AllowedGrid implements Iterable<ParameterSet> {

    /** Combinations of constrained parameters evaluated up front, all groups together. */
    static final long ENUMERATE_UP_TO = 200_000;
    /** Combinations of a group not worked out that one step of a walk may reject before it pauses. */
    static final int MAX_REJECTED_IN_A_ROW = 100_000;
    /** Combinations rejected in a row, over all steps, after which a walk gives up. */
    public static final long GIVE_UP_AFTER = 10_000_000;

    private final List<Parameter> parameters;
    private final List<List<Object>> values;
    /** The group each parameter belongs to, null where no constraint names it; and its place there. */
    private final ConstraintGroup[] groupOf;
    private final int[] placeInGroup;
    private final boolean knownEmpty;

    private AllowedGrid(List<Parameter> parameters, List<List<Object>> values, List<ConstraintGroup> groups) {
        this.parameters = parameters;
        this.values = values;
        this.groupOf = new ConstraintGroup[parameters.size()];
        this.placeInGroup = new int[parameters.size()];
        for (ConstraintGroup g : groups) {
            for (int j = 0; j < g.positions().length; j++) {
                groupOf[g.positions()[j]] = g;
                placeInGroup[g.positions()[j]] = j;
            }
        }
        this.knownEmpty = groups.stream().anyMatch(g -> g.workedOut() && !g.anyAllowed());
    }

    /** Works out the constraints over {@code space}: at most {@link #ENUMERATE_UP_TO} evaluations. */
    public static AllowedGrid of(ParameterSpace space, Constraints constraints) {
        List<Parameter> parameters = space.parameters();
        List<List<Object>> values = parameters.stream().map(Parameter::gridValues).toList();
        List<ConstraintGroup> groups = new ArrayList<>();
        for (List<Constraint> linked : linked(constraints)) {
            groups.add(new ConstraintGroup(linked, parameters, values));
        }
        groups.sort(Comparator.comparingLong(ConstraintGroup::size));
        long budget = ENUMERATE_UP_TO;
        for (ConstraintGroup g : groups) {
            if (g.size() > budget) {
                break;
            }
            g.workOut();
            budget -= g.size();
        }
        return new AllowedGrid(parameters, values, groups);
    }

    /**
     * True when no grid point satisfies the constraints; false when some does, or when only a group
     * too large to work out could rule them all out.
     */
    public boolean knownEmpty() {
        return knownEmpty;
    }

    @Override
    public Walk iterator() {
        return new Walk();
    }

    /** The constraints in groups such that no two groups name a common parameter. */
    private static List<List<Constraint>> linked(Constraints constraints) {
        List<Set<String>> names = new ArrayList<>();
        List<List<Constraint>> groups = new ArrayList<>();
        for (Constraint c : constraints.all()) {
            Set<String> n = new HashSet<>(c.parameters());
            List<Constraint> g = new ArrayList<>(List.of(c));
            for (int i = groups.size() - 1; i >= 0; i--) {
                if (!Collections.disjoint(names.get(i), n)) {
                    n.addAll(names.remove(i));
                    g.addAll(groups.remove(i));
                }
            }
            names.add(n);
            groups.add(g);
        }
        return groups;
    }

    /** The allowed points in grid order; each iterator walks on its own. */
    public final class Walk implements Iterator<ParameterSet> {

        /** The value index of every parameter: the point the walk is at. */
        private final int[] digits = new int[parameters.size()];
        /** The digits are an allowed point not handed out yet. */
        private boolean ready;
        private boolean ended = knownEmpty;
        /** The last {@link #hasNext} stopped at its rejection budget, not at the end of the grid. */
        private boolean paused;
        /** Rejected since the last allowed point, over all steps. */
        private long rejectedInARow;
        private boolean gaveUp;

        private Walk() {
        }

        /**
         * False either at the end of the grid or, when {@link #paused}, after this call's budget of
         * rejected combinations; a paused walk goes on from where it stopped at the next call.
         */
        @Override
        public boolean hasNext() {
            if (!ready && !ended) {
                paused = false;
                ready = settle();
                ended = !ready && !paused;
            }
            return ready;
        }

        /** Whether the last {@link #hasNext} gave false only for its budget: points may be left. */
        public boolean paused() {
            return paused;
        }

        /** Whether the walk ended after {@link #GIVE_UP_AFTER} rejected in a row, not at the end of the grid. */
        public boolean gaveUp() {
            return gaveUp;
        }

        @Override
        public ParameterSet next() {
            if (!hasNext()) {
                throw new NoSuchElementException("no allowed grid point left");
            }
            Map<String, Object> point = new LinkedHashMap<>();
            for (int i = 0; i < digits.length; i++) {
                point.put(parameters.get(i).name(), values.get(i).get(digits[i]));
            }
            ready = false;
            ended = advance(digits.length - 1) < 0;
            return ParameterSet.of(point);
        }

        /**
         * Moves to the first allowed point at or after the current one; false when none is left, or,
         * {@link #paused}, when a group not worked out rejected too many combinations on the way.
         */
        private boolean settle() {
            int rejected = 0;
            int i = 0;
            while (i < digits.length) {
                ConstraintGroup g = groupOf[i];
                if (g == null || g.admits(digits, placeInGroup[i])) {
                    i++;
                    continue;
                }
                i = advance(i);
                if (i < 0) {
                    return false;
                }
                if (!g.workedOut() && ++rejected >= MAX_REJECTED_IN_A_ROW) {
                    rejectedInARow += rejected;
                    gaveUp = rejectedInARow >= GIVE_UP_AFTER;
                    paused = !gaveUp; // at the next combination not yet tested
                    return false;
                }
            }
            rejectedInARow = 0;
            return true;
        }

        /**
         * Steps parameter {@code i} to its next value, carrying into the ones before it when it runs
         * out, and sets every parameter after the one that moved to its first value.
         *
         * @return the parameter that moved; -1 past the end of the grid
         */
        private int advance(int i) {
            for (; i >= 0; i--) {
                Arrays.fill(digits, i + 1, digits.length, 0);
                if (++digits[i] < values.get(i).size()) {
                    return i;
                }
            }
            return -1;
        }
    }
}
