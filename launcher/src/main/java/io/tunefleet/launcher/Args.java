package io.tunefleet.launcher;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --name value} options and positional arguments of one sub-command. */
final class Args {

    private final Map<String, String> options = new HashMap<>();
    private final List<String> positional = new ArrayList<>();

    /**
     * @param flags options that take no value, e.g. {@code --watch}
     * @throws UsageException for an option the command does not know, or one missing its value
     */
    static Args parse(List<String> argv, Set<String> known, Set<String> flags) {
        Args args = new Args();
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (!a.startsWith("--")) {
                args.positional.add(a);
                continue;
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (!known.contains(name) && !flags.contains(name)) {
                throw new UsageException("unknown option --" + name);
            }
            if (flags.contains(name)) {
                args.options.put(name, "true");
                continue;
            }
            if (value == null) {
                if (i + 1 >= argv.size()) {
                    throw new UsageException("option --" + name + " needs a value");
                }
                value = argv.get(++i);
            }
            args.options.put(name, value);
        }
        return args;
    }

    String get(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    boolean has(String name) {
        return options.containsKey(name);
    }

    int intValue(String name, int fallback) {
        String v = options.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a number, got '" + v + "'");
        }
    }

    List<String> positional() {
        return positional;
    }

    /** A mistake in how the command was called; printed without a stack trace. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
