package io.tunefleet.common.experiment;

import static io.tunefleet.common.experiment.ExperimentState.CANCELLED;
import static io.tunefleet.common.experiment.ExperimentState.FAILED;
import static io.tunefleet.common.experiment.ExperimentState.PENDING;
import static io.tunefleet.common.experiment.ExperimentState.QUEUED;
import static io.tunefleet.common.experiment.ExperimentState.RUNNING;
import static io.tunefleet.common.experiment.ExperimentState.SUCCEEDED;
import static io.tunefleet.common.experiment.ExperimentState.TIMED_OUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ExperimentTransitionsTest {

    /**
     * The allowed moves, written out by hand: a change to the production table must show up here
     * as a deliberate edit, not slip through.
     */
    private static final Map<ExperimentState, Set<ExperimentState>> EXPECTED = Map.of(
            PENDING, EnumSet.of(QUEUED, FAILED, CANCELLED),
            QUEUED, EnumSet.of(RUNNING, SUCCEEDED, FAILED, TIMED_OUT, CANCELLED),
            RUNNING, EnumSet.of(PENDING, SUCCEEDED, FAILED, TIMED_OUT, CANCELLED),
            SUCCEEDED, EnumSet.noneOf(ExperimentState.class),
            FAILED, EnumSet.noneOf(ExperimentState.class),
            TIMED_OUT, EnumSet.noneOf(ExperimentState.class),
            CANCELLED, EnumSet.noneOf(ExperimentState.class));

    static Stream<Arguments> everyPairOfStates() {
        List<Arguments> pairs = new ArrayList<>();
        for (ExperimentState from : ExperimentState.values()) {
            for (ExperimentState to : ExperimentState.values()) {
                pairs.add(Arguments.of(from, to, EXPECTED.get(from).contains(to)));
            }
        }
        return pairs.stream();
    }

    @Test
    void expectedTableCoversEveryState() {
        assertThat(EXPECTED.keySet()).containsExactlyInAnyOrder(ExperimentState.values());
    }

    @ParameterizedTest(name = "{0} -> {1} allowed: {2}")
    @MethodSource("everyPairOfStates")
    void isAllowedMatchesTheExpectedTableForEveryPair(ExperimentState from, ExperimentState to, boolean allowed) {
        assertThat(ExperimentTransitions.isAllowed(from, to)).isEqualTo(allowed);
    }

    @ParameterizedTest(name = "{0} -> {1} allowed: {2}")
    @MethodSource("everyPairOfStates")
    void moveReturnsTheTargetOrThrowsAccordingToTheTable(ExperimentState from, ExperimentState to, boolean allowed) {
        if (allowed) {
            assertThat(ExperimentTransitions.move(from, to)).isSameAs(to);
        } else {
            assertThatThrownBy(() -> ExperimentTransitions.move(from, to))
                    .isInstanceOf(IllegalTransitionException.class);
        }
    }

    @ParameterizedTest
    @EnumSource(value = ExperimentState.class, names = {"SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELLED"})
    void terminalStatesAllowNoMoveAtAll(ExperimentState terminal) {
        assertThat(terminal.isTerminal()).isTrue();
        for (ExperimentState to : ExperimentState.values()) {
            assertThat(ExperimentTransitions.isAllowed(terminal, to)).as("%s -> %s", terminal, to).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(value = ExperimentState.class, names = {"PENDING", "QUEUED", "RUNNING"})
    void inFlightStatesAreNotTerminalAndCanAlwaysBeCancelled(ExperimentState state) {
        assertThat(state.isTerminal()).isFalse();
        assertThat(state.isInFlight()).isTrue();
        assertThat(ExperimentTransitions.isAllowed(state, CANCELLED)).isTrue();
    }

    @Test
    void illegalMoveThrowsAnExceptionNamingBothStates() {
        assertThatThrownBy(() -> ExperimentTransitions.move(SUCCEEDED, RUNNING))
                .isInstanceOfSatisfying(IllegalTransitionException.class, e -> {
                    assertThat(e.from()).isEqualTo(SUCCEEDED);
                    assertThat(e.to()).isEqualTo(RUNNING);
                    assertThat(e.getMessage()).contains("SUCCEEDED").contains("RUNNING");
                    assertThat(e.getMessage().indexOf("SUCCEEDED")).isLessThan(e.getMessage().indexOf("RUNNING"));
                })
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void pendingCannotSkipTheQueueAndGoStraightToRunning() {
        assertThatThrownBy(() -> ExperimentTransitions.move(PENDING, RUNNING))
                .isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("PENDING")
                .hasMessageContaining("RUNNING");
    }

    @ParameterizedTest
    @EnumSource(ExperimentState.class)
    void sourcesOfListsExactlyTheStatesWhoseMovesReachTheTarget(ExperimentState to) {
        EnumSet<ExperimentState> expected = EnumSet.noneOf(ExperimentState.class);
        EXPECTED.forEach((from, targets) -> {
            if (targets.contains(to)) {
                expected.add(from);
            }
        });
        assertThat(ExperimentTransitions.sourcesOf(to)).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void sourcesOfSpelledOutForTheStatesTheStoreGuards() {
        assertThat(ExperimentTransitions.sourcesOf(QUEUED)).containsExactlyInAnyOrder(PENDING);
        assertThat(ExperimentTransitions.sourcesOf(PENDING)).containsExactlyInAnyOrder(RUNNING);
        assertThat(ExperimentTransitions.sourcesOf(RUNNING)).containsExactlyInAnyOrder(QUEUED);
        assertThat(ExperimentTransitions.sourcesOf(SUCCEEDED)).containsExactlyInAnyOrder(QUEUED, RUNNING);
        assertThat(ExperimentTransitions.sourcesOf(TIMED_OUT)).containsExactlyInAnyOrder(QUEUED, RUNNING);
        assertThat(ExperimentTransitions.sourcesOf(FAILED)).containsExactlyInAnyOrder(PENDING, QUEUED, RUNNING);
        assertThat(ExperimentTransitions.sourcesOf(CANCELLED)).containsExactlyInAnyOrder(PENDING, QUEUED, RUNNING);
    }

    @Test
    void sourcesOfReturnsACopyThatCannotCorruptTheTable() {
        Set<ExperimentState> sources = ExperimentTransitions.sourcesOf(RUNNING);
        try {
            sources.add(SUCCEEDED);
        } catch (UnsupportedOperationException ignored) {
            // an immutable view is fine too
        }
        assertThat(ExperimentTransitions.isAllowed(SUCCEEDED, RUNNING)).isFalse();
        assertThat(ExperimentTransitions.sourcesOf(RUNNING)).containsExactly(QUEUED);
    }
}
