package io.tunefleet.worker.runtime;

import io.tunefleet.common.message.JobMessage;
import io.tunefleet.common.scoring.Slo;
import io.tunefleet.common.task.Objective;
import java.util.function.Function;

/**
 * What an experiment is scored against. Runtimes take a function from job to spec; {@link #DEFAULT}
 * reads the task's objective and SLO from the job (minimum latency without SLO when a job carries
 * none). Every objective's metric is reported whatever the spec, so the coordinator can read its own.
 */
public record ScoringSpec(Objective objective, Slo slo) {

    /** Minimum latency, no SLO: how a job that carries no scoring information is scored. */
    public static final ScoringSpec LATENCY = new ScoringSpec(Objective.MINIMIZE_LATENCY, Slo.none());

    public static final Function<JobMessage, ScoringSpec> DEFAULT = job -> new ScoringSpec(
            job.objective() == null ? LATENCY.objective()
                    : Objective.fromWireName(job.objective()).orElse(LATENCY.objective()),
            Slo.parse(job.slo()));
}
