package io.tunefleet.common.param;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a configuration into engine flags as an argv list, never a shell string:
 * {@code --tp-size 2}, a bare {@code --flag} for {@code true}, nothing for {@code false}.
 */
public final class EngineArgs {

    /**
     * Flags that are the worker's to set, so that a task may not tune them, each with why: appended
     * after the engine command's own, a task's value would win (argparse keeps the last).
     */
    private static final Map<String, String> RESERVED_FOR_THE_WORKER = Map.of(
            "port", "the engine listens on the port the worker reserved for it and health-checks",
            "host", "the engine listens where the worker health-checks and benchmarks it",
            "model", "the engine serves the model the task names, which the benchmark asks for",
            "model-path", "the engine serves the model the task names, which the benchmark asks for",
            "served-model-name", "the benchmark asks for the model by the name the task gives it",
            "base-gpu-id", "the engine uses the GPUs the worker reserved, from the first",
            "nccl-port", "two engines on one host would take the same port; the engine picks a free one",
            "dist-init-addr", "an engine runs on the host the worker reserved its GPUs on");

    private EngineArgs() {
    }

    /**
     * Why a parameter of this name may not be tuned ({@code _} read as {@code -}); empty when it may.
     */
    public static Optional<String> reservedForTheWorker(String name) {
        return Optional.ofNullable(RESERVED_FOR_THE_WORKER.get(name.replace('_', '-')))
                .map(why -> "'" + name + "' is not the task's to set: " + why);
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
