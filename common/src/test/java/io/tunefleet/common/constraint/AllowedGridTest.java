package io.tunefleet.common.constraint;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunefleet.common.param.ChoiceParameter;
import io.tunefleet.common.param.ContinuousParameter;
import io.tunefleet.common.param.IntegerParameter;
import io.tunefleet.common.param.Parameter;
import io.tunefleet.common.param.ParameterSet;
import io.tunefleet.common.param.ParameterSpace;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class AllowedGridTest {

    /** Constrained and free parameters interleaved: 4 x 3 x 3 x 3 x 2 x 5 = 1,080 points. */
    static final ParameterSpace MIXED = new ParameterSpace(List.of(
            new ChoiceParameter("tp-size", List.of(1L, 2L, 4L, 8L)),
            new ChoiceParameter("attention-backend", List.of("fa3", "flashinfer", "triton")),
            new ChoiceParameter("dp-size", List.of(1L, 2L, 4L)),
            new ContinuousParameter("mem-fraction-static", 0.7, 0.9, false, 3),
            new ChoiceParameter("schedule-policy", List.of("lpm", "fcfs")),
            new IntegerParameter("max-running-requests", 1, 5, false, 5)));

    /** 4 x 1,000 x 4 x 1,000 x 1,000 = 1.6e10 points. */
    static final ParameterSpace HUGE = new ParameterSpace(List.of(
            new ChoiceParameter("tp-size", List.of(1L, 2L, 4L, 8L)),
            thousand("x"),
            new ChoiceParameter("dp-size", List.of(1L, 2L, 4L, 8L)),
            thousand("y"),
            thousand("z")));

    @Test
    void walksTheAllowedPointsInGridOrderExactlyAsTestingEveryPointWould() {
        Constraints constraints = constraints(MIXED, "tp-size * dp-size <= 8", "tp-size % dp-size == 0",
                "schedule-policy == 'lpm' or mem-fraction-static < 0.8", "max-running-requests != 3", "1 < 2");

        List<String> walked = keys(AllowedGrid.of(MIXED, constraints));

        List<String> filtered = new ArrayList<>();
        for (long i = 0; i < MIXED.gridSize(); i++) {
            if (constraints.allows(MIXED.gridPoint(i))) {
                filtered.add(MIXED.gridPoint(i).key());
            }
        }
        // (tp, dp): (1,1) (2,1) (2,2) (4,1) (4,2) (8,1); 3 backends; (mem, policy): 4 of 6; 4 of 5 sizes
        assertThat(filtered).hasSize(6 * 3 * 4 * 4);
        assertThat(walked).isEqualTo(filtered);
    }

    @Test
    void withoutConstraintsTheWalkIsTheWholeGridInOrder() {
        List<String> all = new ArrayList<>();
        for (long i = 0; i < MIXED.gridSize(); i++) {
            all.add(MIXED.gridPoint(i).key());
        }

        assertThat(keys(AllowedGrid.of(MIXED, Constraints.none()))).isEqualTo(all);
    }

    @Test
    void constraintsNoPointMeetsAreKnownSoOnAGridOfBillionsToo() {
        assertThat(AllowedGrid.of(HUGE, constraints(HUGE, "tp-size * dp-size > 64")).knownEmpty()).isTrue();
        assertThat(AllowedGrid.of(HUGE, constraints(HUGE, "tp-size * dp-size > 32")).knownEmpty()).isFalse();
        assertThat(AllowedGrid.of(MIXED, constraints(MIXED, "1 > 2")).knownEmpty()).isTrue();
        assertThat(AllowedGrid.of(MIXED, constraints(MIXED, "1 > 2"))).isEmpty();
    }

    @Test
    void constraintsThatShareNoParameterAreDecidedApart() {
        // x and y together have 1e6 combinations, too many to work out; tp-size and dp-size have 16
        Constraints constraints = constraints(HUGE, "x + y >= 0", "tp-size * dp-size > 64");

        assertThat(AllowedGrid.of(HUGE, constraints).knownEmpty()).isTrue();
    }

    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void onAGridOfBillionsTheWalkStepsOnlyThroughAllowedPoints() {
        Constraints constraints = constraints(HUGE, "tp-size * dp-size == 8", "x == 500 or x == 1000", "y <= 1",
                "z >= 1000");

        List<String> walked = keys(AllowedGrid.of(HUGE, constraints));

        assertThat(walked).containsExactly(
                "dp-size=8,tp-size=1,x=500,y=1,z=1000", "dp-size=8,tp-size=1,x=1000,y=1,z=1000",
                "dp-size=4,tp-size=2,x=500,y=1,z=1000", "dp-size=4,tp-size=2,x=1000,y=1,z=1000",
                "dp-size=2,tp-size=4,x=500,y=1,z=1000", "dp-size=2,tp-size=4,x=1000,y=1,z=1000",
                "dp-size=1,tp-size=8,x=500,y=1,z=1000", "dp-size=1,tp-size=8,x=1000,y=1,z=1000");
    }

    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aGroupTooLargeToWorkOutIsTestedAsTheWalkMeetsItAndPausesAfterTooManyRejectionsInARow() {
        ParameterSpace space = new ParameterSpace(List.of(thousand("x"), thousand("y"), thousand("z")));

        AllowedGrid nothing = AllowedGrid.of(space, constraints(space, "x + y + z < 0"));
        assertThat(nothing.knownEmpty()).as("1e9 combinations: not worked out").isFalse();
        AllowedGrid.Walk walk = nothing.iterator();
        assertThat(walk.hasNext()).as("stops after %d rejections", AllowedGrid.MAX_REJECTED_IN_A_ROW).isFalse();
        assertThat(walk.paused()).as("not the end of the grid").isTrue();

        // y = 300 first comes after 299,000 rejected combinations: found on the third call.
        AllowedGrid.Walk far = AllowedGrid.of(space, constraints(space, "y == 300 and x + z > 0")).iterator();
        assertThat(far.hasNext()).isFalse();
        assertThat(far.paused()).isTrue();
        assertThat(far.hasNext()).isFalse();
        assertThat(far.hasNext()).isTrue();
        assertThat(far.next().key()).isEqualTo("x=1,y=300,z=1");
        assertThat(far.paused()).isFalse();

        Iterator<ParameterSet> sparse = AllowedGrid.of(space, constraints(space, "x + z > 1000")).iterator();
        assertThat(sparse.next().key()).isEqualTo("x=1,y=1,z=1000");
        assertThat(sparse.next().key()).isEqualTo("x=1,y=2,z=1000");
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aWalkThatMeetsOnlyRejectedCombinationsPausesUntilItHasRejectedTenMillionInARowThenGivesUp() {
        ParameterSpace space = new ParameterSpace(List.of(thousand("x"), thousand("y"), thousand("z")));
        AllowedGrid.Walk walk = AllowedGrid.of(space, constraints(space, "x + y + z < 0")).iterator();

        int pauses = 0;
        while (!walk.hasNext() && walk.paused()) {
            pauses++;
        }

        assertThat(walk.gaveUp()).isTrue();
        assertThat(walk.hasNext()).isFalse();
        assertThat((long) (pauses + 1) * AllowedGrid.MAX_REJECTED_IN_A_ROW).isEqualTo(AllowedGrid.GIVE_UP_AFTER);
    }

    static IntegerParameter thousand(String name) {
        return new IntegerParameter(name, 1, 1000, false, 1000);
    }

    static Constraints constraints(ParameterSpace space, String... sources) {
        List<Parameter> parameters = space.parameters();
        return new Constraints(Stream.of(sources).map(s -> Constraint.parse(s, parameters)).toList());
    }

    static List<String> keys(AllowedGrid grid) {
        return StreamSupport.stream(grid.spliterator(), false).map(ParameterSet::key).toList();
    }
}
