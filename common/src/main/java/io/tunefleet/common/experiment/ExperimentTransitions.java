package io.tunefleet.common.experiment;

import static io.tunefleet.common.experiment.ExperimentState.*;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** The one table of allowed experiment moves, and the one method that enforces it. */
public final class ExperimentTransitions {

    private static final Map<ExperimentState, Set<ExperimentState>> ALLOWED = new EnumMap<>(ExperimentState.class);

    static {
        ALLOWED.put(PENDING, EnumSet.of(QUEUED, FAILED, CANCELLED));
        // QUEUED -> SUCCEEDED/FAILED: a result may overtake its claim announcement.
        ALLOWED.put(QUEUED, EnumSet.of(RUNNING, SUCCEEDED, FAILED, TIMED_OUT, CANCELLED));
        // RUNNING -> PENDING: the worker was lost or the failure is retryable; a new attempt waits to
        // be published, as a new suggestion does.
        ALLOWED.put(RUNNING, EnumSet.of(PENDING, SUCCEEDED, FAILED, TIMED_OUT, CANCELLED));
        ALLOWED.put(SUCCEEDED, EnumSet.noneOf(ExperimentState.class));
        ALLOWED.put(FAILED, EnumSet.noneOf(ExperimentState.class));
        ALLOWED.put(TIMED_OUT, EnumSet.noneOf(ExperimentState.class));
        ALLOWED.put(CANCELLED, EnumSet.noneOf(ExperimentState.class));
    }

    private ExperimentTransitions() {
    }

    public static boolean isAllowed(ExperimentState from, ExperimentState to) {
        return ALLOWED.get(from).contains(to);
    }

    /**
     * Checks a move.
     *
     * @throws IllegalTransitionException when the table does not allow it
     */
    public static ExperimentState move(ExperimentState from, ExperimentState to) {
        if (!isAllowed(from, to)) {
            throw new IllegalTransitionException(from, to);
        }
        return to;
    }

    /** States from which a move to {@code to} is allowed; used to build guarded SQL updates. */
    public static Set<ExperimentState> sourcesOf(ExperimentState to) {
        EnumSet<ExperimentState> sources = EnumSet.noneOf(ExperimentState.class);
        ALLOWED.forEach((from, targets) -> {
            if (targets.contains(to)) {
                sources.add(from);
            }
        });
        return sources;
    }
}
