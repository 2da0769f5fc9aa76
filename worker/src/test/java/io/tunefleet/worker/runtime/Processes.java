package io.tunefleet.worker.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What {@code /proc} says of a host process, for the runtime and engine tests. */
public final class Processes {

    private Processes() {
    }

    /** True while the process exists and is neither a zombie nor dead. */
    public static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }
}
