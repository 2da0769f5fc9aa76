package io.tunefleet.worker.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunefleet.worker.runtime.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real processes: an engine remembers the pids of its group after it stopped it, the processes it
 * spawned with its own, for the GPUs' clean release to look for in nvidia-smi's list.
 */
class ProcessEnginePidsTest {

    @TempDir
    Path dir;

    private ProcessEngine engine;
    /** A process the test started that no group kill reaches; killed after the test. */
    private long escaped = -1;

    @AfterEach
    void cleanUp() {
        if (engine != null && engine.groupAlive()) {
            engine.close(); // a test that failed before its close
        }
        if (escaped > 0) {
            ProcessHandle.of(escaped).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** Starts {@code script} as an engine and waits until it has written the pids it names to their files. */
    private ProcessEngine start(String script, String... pidFiles) throws Exception {
        engine = ProcessEngine.start(List.of("sh", "-c", script), Map.of(), dir.resolve("engine.log"), 2_000);
        for (String file : pidFiles) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !read(file).isEmpty());
        }
        return engine;
    }

    private String read(String file) throws Exception {
        Path path = dir.resolve(file);
        return Files.exists(path) ? Files.readString(path).trim() : "";
    }

    private int pid(String file) throws Exception {
        return Integer.parseInt(read(file));
    }

    @Test
    void afterCloseItReportsTheLeaderAndTheChildrenOfItsGroupAndTheGroupIsGone() throws Exception {
        ProcessEngine engine = start("sleep 30 & echo $! > " + dir.resolve("child.pid") + "\n"
                + "sleep 30 & echo $! > " + dir.resolve("second.pid") + "\nwait", "child.pid", "second.pid");
        int leader = (int) engine.pgid();
        int child = pid("child.pid");
        int second = pid("second.pid");
        assertThat(engine.pids()).as("while it runs").contains(leader, child, second);

        engine.close();

        assertThat(engine.pids()).contains(leader, child, second);
        assertThat(engine.groupAlive()).as("a live process in the group").isFalse();
    }

    @Test
    void theChildrenOfALeaderThatHadAlreadyExitedAreReportedAfterClose() throws Exception {
        ProcessEngine engine = start("sleep 30 & echo $! > " + dir.resolve("child.pid") + "\nexit 3", "child.pid");
        int leader = (int) engine.pgid();
        int child = pid("child.pid");
        await().atMost(Duration.ofSeconds(10)).until(() -> !engine.alive());

        engine.close();

        assertThat(engine.pids()).contains(leader, child);
        assertThat(engine.groupAlive()).isFalse();
    }

    /**
     * A process that moved to a session of its own is out of reach of the group's signals, but if it
     * still held a GPU it would be ours: it is stopped with the group, and reported too.
     */
    @Test
    void aDescendantThatLeftTheGroupIsStoppedWithItAndReportedAsTheEngines() throws Exception {
        ProcessEngine engine = start("setsid sleep 30 & echo $! > " + dir.resolve("escaped.pid") + "\nwait",
                "escaped.pid");
        escaped = pid("escaped.pid");
        await().atMost(Duration.ofSeconds(10)).until(() -> !ProcessEngine.groupMembers(escaped).isEmpty());

        engine.close();

        assertThat(engine.pids()).contains((int) engine.pgid(), (int) escaped);
        assertThat(Processes.alive(escaped)).as("left the group, stopped all the same (at most a zombie)").isFalse();
    }

    /**
     * An engine that crashed has been reaped: its children belong to init then, and no walk from it
     * finds the one that left the group. Seen while the engine was watched (its health wait asks
     * whether it is alive), that one is stopped all the same.
     */
    @Test
    void aDescendantThatLeftTheGroupIsStoppedAfterTheEngineItselfExited() throws Exception {
        ProcessEngine engine = start("setsid sleep 30 & echo $! > " + dir.resolve("escaped.pid") + "\nsleep 1\nexit 3",
                "escaped.pid");
        escaped = pid("escaped.pid");
        assertThat(engine.alive()).as("watched while it starts").isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> !engine.alive());

        engine.close();

        assertThat(Processes.alive(escaped)).as("its leader long gone, stopped all the same (at most a zombie)")
                .isFalse();
        assertThat(engine.pids()).contains((int) escaped);
    }
}
