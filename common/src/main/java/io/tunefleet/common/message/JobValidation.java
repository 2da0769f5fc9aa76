package io.tunefleet.common.message;

import io.tunefleet.common.param.EngineArgs;
import io.tunefleet.common.param.GpuRequirement;
import io.tunefleet.common.param.ParameterSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a decoded job before a worker runs it: its parameters become an engine's argv, so a job
 * that did not come from a validated task (a bug, or someone publishing by hand) is refused.
 * The rules are those the task parser applies.
 */
public final class JobValidation {

    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    static final Pattern VALUE = Pattern.compile("[A-Za-z0-9._:/=+@-]{1,128}");

    private JobValidation() {
    }

    /** Every problem of the job; empty when it may run. */
    public static List<String> problems(JobMessage job) {
        List<String> problems = new ArrayList<>();
        if (job.runtime() == null || job.model() == null || job.parameters() == null || job.benchmark() == null) {
            problems.add("runtime, model, parameters and benchmark are required");
            return problems;
        }
        if (job.attempt() < 1 || job.gpus() < 1 || job.timeoutSeconds() < 1) {
            problems.add("attempt, gpus and timeoutSeconds must be positive");
        }
        for (Map.Entry<String, Object> p : job.parameters().entrySet()) {
            if (!NAME.matcher(p.getKey()).matches()) {
                problems.add("parameter name '" + p.getKey() + "' is not a flag name");
            } else {
                EngineArgs.reservedForTheWorker(p.getKey()).ifPresent(why -> problems.add("parameter " + why));
            }
            Object v = p.getValue();
            if (!(v instanceof Number || v instanceof Boolean || v instanceof String s && VALUE.matcher(s).matches())) {
                problems.add("parameter " + p.getKey() + " has a value that may not reach an engine: " + v);
            }
        }
        if (job.engineCommand() != null && (job.engineCommand().isEmpty() || job.engineCommand().stream()
                .anyMatch(a -> a == null || a.isEmpty() || a.chars().anyMatch(Character::isISOControl)))) {
            problems.add("engine command must be non-empty arguments without control characters");
        }
        if (problems.isEmpty()) {
            try {
                int needed = GpuRequirement.of(ParameterSet.of(job.parameters()));
                if (needed != job.gpus()) {
                    problems.add("parameters need " + needed + " GPUs but the job says " + job.gpus());
                }
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        return problems;
    }
}
