package io.tunefleet.worker.runtime;

import io.tunefleet.common.message.JobMessage;
import io.tunefleet.common.scoring.Slo;
import io.tunefleet.common.task.Objective;
import java.util.function.Function;

/**
 * What an experiment is scored against. The job message does not carry the task's objective and
 * SLO yet, so runtimes take a function from job to spec; {@link #DEFAULT} scores latency without SLO.
 * Every objective's metric is reported whatever the spec, so the coordinator can read its own.
 */
public record ScoringSpec(Objective objective, Slo slo) {

    public static final Function<JobMessage, ScoringSpec> DEFAULT =
            job -> new ScoringSpec(Objective.MINIMIZE_LATENCY, Slo.none());
}
