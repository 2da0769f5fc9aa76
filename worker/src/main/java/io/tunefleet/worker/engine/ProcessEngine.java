package io.tunefleet.worker.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An engine process started under {@code setsid}, so it leads its own process group and everything it
 * spawns (tokenizer workers, per-GPU schedulers) can be stopped together: TERM to the group, then KILL
 * after a grace period. Output goes to a log file kept per experiment.
 *
 * <p>It remembers every process it saw in its group ({@link #pids()}): once the group is stopped those
 * pids are gone from {@code /proc}, yet they are what nvidia-smi lists if a process of the engine
 * still holds a GPU, which the clean release must recognise as ours.
 */
public final class ProcessEngine implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProcessEngine.class);

    private final Process process;
    private final long pgid;
    private final Path logFile;
    private final long graceMillis;
    /** Every pid seen in the group (and below the leader), from the close on; the leader's from the start. */
    private final Set<Integer> seen = ConcurrentHashMap.newKeySet();
    /** How much of the end of the log {@link #logTail} reads. */
    static final int TAIL_BYTES = 256 * 1024;
    /** Descendants seen outside the group, by pid ({@link #noteStrays}): stopped with it. */
    private final Map<Long, ProcessHandle> strays = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private ProcessEngine(Process process, Path logFile, long graceMillis) {
        this.process = process;
        // setsid(1) execs in place when its caller is no group leader, which a JVM child never is.
        this.pgid = process.pid();
        this.logFile = logFile;
        this.graceMillis = graceMillis;
        seen.add((int) process.pid());
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
        noteStrays();
        return process.isAlive();
    }

    /**
     * The leader's descendants now, noting those that left the group (a session of their own) while the
     * leader still leads them: once it has exited they belong to init, and no walk from it finds them.
     */
    private List<ProcessHandle> noteStrays() {
        List<ProcessHandle> found = descendants();
        found.stream().filter(d -> !inGroup(d.pid(), pgid)).forEach(d -> strays.putIfAbsent(d.pid(), d));
        return found;
    }

    /**
     * The leader's descendants, while it lives. Once it has exited (and been reaped) its pid may be
     * another process's: the walk finds by pid, so it would find that one's children. Alive before and
     * after the walk, the leader held its pid throughout (this JVM reaps it, and has not).
     */
    private List<ProcessHandle> descendants() {
        if (!process.isAlive()) {
            return List.of();
        }
        List<ProcessHandle> found = process.descendants().toList();
        return process.isAlive() ? found : List.of();
    }

    /** Alive and not a zombie: where nothing reaps (a worker running as pid 1), a zombie never goes away. */
    private static boolean running(ProcessHandle p) {
        String[] stat = p.isAlive() ? stat(p.pid()) : null;
        return stat != null && live(stat);
    }

    public Path logFile() {
        return logFile;
    }

    /**
     * The last lines of the engine's output, read from its last {@link #TAIL_BYTES} (an engine logging
     * every request writes hundreds of MB over a long benchmark) and decoded leniently: one byte that
     * is not UTF-8 must not cost the whole tail.
     */
    public String logTail(int lines) {
        try (SeekableByteChannel log = Files.newByteChannel(logFile)) {
            long from = Math.max(0, log.size() - TAIL_BYTES);
            ByteBuffer tail = ByteBuffer.allocate((int) (log.size() - from));
            log.position(from);
            while (tail.hasRemaining() && log.read(tail) >= 0) {
                // read on to the end
            }
            List<String> all = new String(tail.array(), 0, tail.position(), StandardCharsets.UTF_8).lines().toList();
            if (from > 0 && !all.isEmpty()) {
                all = all.subList(1, all.size()); // the first line read began before the tail
            }
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
        return !groupMembers(pgid).isEmpty();
    }

    /**
     * The pids of the engine's processes: after {@link #close()}, every one seen in its group from
     * just before the TERM until the group was gone, with the leader's; before, those alive now as well.
     */
    public Set<Integer> pids() {
        Set<Integer> pids = new TreeSet<>(seen);
        if (!closed) {
            pids.addAll(members());
        }
        return Collections.unmodifiableSet(pids);
    }

    /**
     * The live members of the group now, and the leader's live descendants: one that moved to a group
     * of its own escapes the group's signals, but on a GPU it is still ours.
     */
    private Set<Integer> members() {
        Set<Integer> members = groupMembers(pgid);
        noteStrays().forEach(d -> members.add((int) d.pid()));
        return members;
    }

    /** The live (non-zombie) processes whose group is {@code pgid}: field "pgrp" of /proc/PID/stat. */
    static Set<Integer> groupMembers(long pgid) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(p -> inGroup(Long.parseLong(p.getFileName().toString()), pgid))
                    .map(p -> Integer.valueOf(p.getFileName().toString()))
                    .collect(Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            return new TreeSet<>();
        }
    }

    /** Notes who is in the group now; true while any of it lives. */
    private boolean recordGroup() {
        Set<Integer> now = groupMembers(pgid);
        seen.addAll(now);
        return !now.isEmpty();
    }

    private static boolean inGroup(long pid, long pgid) {
        String[] stat = stat(pid);
        return stat != null && stat.length > 2 && live(stat) && Long.parseLong(stat[2]) == pgid;
    }

    /** Neither a zombie nor dead, by the state field of {@link #stat}. */
    private static boolean live(String[] stat) {
        return !stat[0].equals("Z") && !stat[0].equals("X");
    }

    /**
     * The fields of /proc/PID/stat after the command name (state, ppid, pgrp, ...); null once the
     * process is gone.
     */
    private static String[] stat(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException e) {
            return null; // gone meanwhile
        }
    }

    /**
     * Stops the whole group: TERM, then KILL after the grace period. Waits until it is gone. Notes the
     * group's members first, and any seen while it waits (a process the engine forks as it stops), for
     * {@link #pids()}. A descendant that moved to a session of its own (a worker process some engines
     * start that way) is out of the group's reach: it gets the same TERM, one by one, and is killed once
     * the group is gone, or it would keep its GPU until the worker restarts.
     */
    @Override
    public void close() {
        boolean interrupted = Thread.interrupted();
        try {
            seen.addAll(members()); // notes the strays too
            List<ProcessHandle> escaped = strays.values().stream().filter(ProcessEngine::running).toList();
            escaped.forEach(p -> seen.add((int) p.pid()));
            signal("TERM");
            escaped.forEach(ProcessHandle::destroy);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
            while ((recordGroup() || anyAlive(escaped)) && System.nanoTime() < deadline) {
                pause();
            }
            if (recordGroup()) {
                log.warn("engine group {} ignored TERM for {} ms; killing it", pgid, graceMillis);
                signal("KILL");
                long killDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (recordGroup() && System.nanoTime() < killDeadline) {
                    pause();
                }
            }
            List<ProcessHandle> left = escaped.stream().filter(ProcessEngine::running).toList();
            if (!left.isEmpty()) {
                log.warn("engine {}: processes {} that left its group ignored TERM; killing them", pgid,
                        left.stream().map(ProcessHandle::pid).toList());
                left.forEach(ProcessHandle::destroyForcibly);
                long killDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (anyAlive(left) && System.nanoTime() < killDeadline) {
                    pause();
                }
            }
            process.destroyForcibly();
        } finally {
            closed = true;
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static boolean anyAlive(List<ProcessHandle> processes) {
        return processes.stream().anyMatch(ProcessEngine::running);
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
