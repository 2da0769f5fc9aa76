package io.tunefleet.worker.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An engine process started under {@code setsid}, so it leads its own process group and everything it
 * spawns (tokenizer workers, per-GPU schedulers) can be stopped together: TERM to the group, then KILL
 * after a grace period. Output goes to a log file kept per experiment.
 */
public final class ProcessEngine implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProcessEngine.class);

    private final Process process;
    private final long pgid;
    private final Path logFile;
    private final long graceMillis;

    private ProcessEngine(Process process, Path logFile, long graceMillis) {
        this.process = process;
        // setsid(1) execs in place when its caller is no group leader, which a JVM child never is.
        this.pgid = process.pid();
        this.logFile = logFile;
        this.graceMillis = graceMillis;
    }

    public static ProcessEngine start(List<String> argv, Map<String, String> env, Path logFile, long graceMillis)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add("setsid");
        command.addAll(argv);
        Files.createDirectories(logFile.toAbsolutePath().getParent());
        // Started afresh: a log of the same task, experiment and attempt left by an earlier database
        // (task ids start again with each) is not this run's.
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(logFile.toFile()));
        builder.environment().putAll(env);
        // The label an orphan is recognised by after this worker died (see ProcessReaper).
        builder.environment().put(ProcessReaper.OWNER_VARIABLE, Long.toString(ProcessHandle.current().pid()));
        return new ProcessEngine(builder.start(), logFile, graceMillis);
    }

    public long pgid() {
        return pgid;
    }

    public boolean alive() {
        return process.isAlive();
    }

    public Path logFile() {
        return logFile;
    }

    /** The last lines of the engine's output. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** True while any live (non-zombie) process is in the group. */
    public boolean groupAlive() {
        return groupAlive(pgid);
    }

    static boolean groupAlive(long pgid) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .anyMatch(p -> inGroup(p, pgid));
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean inGroup(Path proc, long pgid) {
        try {
            String stat = Files.readString(proc.resolve("stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return !fields[0].equals("Z") && !fields[0].equals("X") && Long.parseLong(fields[2]) == pgid;
        } catch (IOException | RuntimeException e) {
            return false; // gone meanwhile
        }
    }

    /** Stops the whole group: TERM, then KILL after the grace period. Waits until it is gone. */
    @Override
    public void close() {
        boolean interrupted = Thread.interrupted();
        try {
            signal("TERM");
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
            while (groupAlive() && System.nanoTime() < deadline) {
                pause();
            }
            if (groupAlive()) {
                log.warn("engine group {} ignored TERM for {} ms; killing it", pgid, graceMillis);
                signal("KILL");
                long killDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (groupAlive() && System.nanoTime() < killDeadline) {
                    pause();
                }
            }
            process.destroyForcibly();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, "--", "-" + pgid).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            kill.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
