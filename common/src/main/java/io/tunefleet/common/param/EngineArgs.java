package io.tunefleet.common.param;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Turns a configuration into engine flags as an argv list, never a shell string:
 * {@code --tp-size 2}, a bare {@code --flag} for {@code true}, nothing for {@code false}.
 */
public final class EngineArgs {

    /**
     * Flags the worker sets itself, so that a task may not: the engine must listen where the worker
     * reserved a port and is health-checked and benchmarked, serve the model the job names under that
     * name, and use the GPUs it was given from the first. Appended after the worker's own, a task's
     * value would win (argparse keeps the last).
     */
    private static final Set<String> SET_BY_THE_WORKER = Set.of("port", "host", "model", "model-path",
            "served-model-name", "base-gpu-id", "nccl-port", "dist-init-addr");

    private EngineArgs() {
    }

    /** Whether a parameter of this name would override a flag the worker sets ({@code _} read as {@code -}). */
    public static boolean setByTheWorker(String name) {
        return SET_BY_THE_WORKER.contains(name.replace('_', '-'));
    }

    /** What a task is told when it names one of {@link #setByTheWorker} as a parameter. */
    public static String setByTheWorkerProblem(String name) {
        return "'" + name + "' is set by the worker (the port it reserved, the model the job names, the GPUs it "
                + "reserved); a task may not tune it";
    }

    public static List<String> of(ParameterSet parameters) {
        List<String> argv = new ArrayList<>();
        parameters.values().forEach((name, value) -> {
            if (Boolean.FALSE.equals(value)) {
                return;
            }
            argv.add("--" + name);
            if (!Boolean.TRUE.equals(value)) {
                argv.add(format(value));
            }
        });
        return argv;
    }

    private static String format(Object value) {
        if (value instanceof Double d && d == Math.rint(d) && !d.isInfinite()) {
            return Long.toString(d.longValue()) + ".0";
        }
        return String.valueOf(value);
    }
}
