package io.tunefleet.worker.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds engine processes whose worker died and kills their process groups. Every engine a worker
 * starts carries {@value #OWNER_VARIABLE} (the worker's pid) in its environment; at worker start, an
 * engine whose owner is no longer alive is an orphan still holding GPUs. Engines of live workers on
 * the same host are left alone.
 */
public final class ProcessReaper {

    public static final String OWNER_VARIABLE = "TUNEFLEET_ENGINE_OWNER_PID";
    private static final Logger log = LoggerFactory.getLogger(ProcessReaper.class);

    private final Path proc;

    public ProcessReaper() {
        this(Path.of("/proc"));
    }

    ProcessReaper(Path proc) {
        this.proc = proc;
    }

    /** Kills the process group of every orphaned engine; returns the group ids killed. */
    public List<Long> reapOrphans() {
        List<Long> killed = new ArrayList<>();
        if (!Files.isDirectory(proc)) {
            return killed;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path entry : entries) {
                long pid = Long.parseLong(entry.getFileName().toString());
                Optional<Long> owner = owner(entry);
                if (owner.isEmpty() || ProcessHandle.of(owner.get()).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                long pgid = processGroup(entry).orElse(pid);
                if (killed.contains(pgid)) {
                    continue;
                }
                log.warn("reaping orphaned engine process group {} (pid {}): its worker, pid {}, is gone",
                        pgid, pid, owner.get());
                kill(pgid);
                killed.add(pgid);
            }
        } catch (IOException e) {
            log.warn("could not scan {} for orphaned engines: {}", proc, e.getMessage());
        }
        return killed;
    }

    private static Optional<Long> owner(Path process) {
        try {
            String environ = new String(Files.readAllBytes(process.resolve("environ")), StandardCharsets.UTF_8);
            for (String variable : environ.split("\0")) {
                if (variable.startsWith(OWNER_VARIABLE + "=")) {
                    return Optional.of(Long.parseLong(variable.substring(OWNER_VARIABLE.length() + 1)));
                }
            }
        } catch (IOException | NumberFormatException | SecurityException e) {
            // gone meanwhile, not ours to read, or not labelled as we label
        }
        return Optional.empty();
    }

    /** Field 5 of /proc/PID/stat, after the parenthesised command name. */
    private static Optional<Long> processGroup(Path process) {
        try {
            String stat = Files.readString(process.resolve("stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(Long.parseLong(fields[2]));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static void kill(long pgid) {
        try {
            new ProcessBuilder("kill", "-KILL", "--", "-" + pgid).redirectErrorStream(true).start().waitFor();
        } catch (IOException e) {
            log.warn("could not kill process group {}: {}", pgid, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
