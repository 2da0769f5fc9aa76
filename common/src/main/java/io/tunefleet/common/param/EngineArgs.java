package io.tunefleet.common.param;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a configuration into engine flags as an argv list, never a shell string:
 * {@code --tp-size 2}, a bare {@code --flag} for {@code true}, nothing for {@code false}.
 */
public final class EngineArgs {

    private EngineArgs() {
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
