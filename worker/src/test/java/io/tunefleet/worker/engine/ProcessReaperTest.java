package io.tunefleet.worker.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real processes: an engine group whose worker is gone is killed; one whose worker lives is not. */
class ProcessReaperTest {

    private Process orphan;
    private Process owned;

    @AfterEach
    void cleanUp() {
        for (Process p : new Process[] {orphan, owned}) {
            if (p != null) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
    }

    @Test
    void killsTheGroupOfAnEngineWhoseWorkerIsGoneAndSparesOneWhoseWorkerLives() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor(10, TimeUnit.SECONDS);
        orphan = engine(gone.pid());
        owned = engine(ProcessHandle.current().pid());
        ProcessHandle orphanChild = await().atMost(Duration.ofSeconds(10))
                .until(() -> orphan.descendants().findFirst().orElse(null), c -> c != null);

        var killed = new ProcessReaper().reapOrphans();

        await().atMost(Duration.ofSeconds(10)).until(() -> !orphan.isAlive() && !orphanChild.isAlive());
        assertThat(killed).isNotEmpty();
        assertThat(owned.isAlive()).as("the engine of a live worker").isTrue();
    }

    /** An engine as ProcessEngine starts one: its own process group, a child, and the owner label. */
    private static Process engine(long ownerPid) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("setsid", "sh", "-c", "sleep 300 & wait");
        builder.environment().put(ProcessReaper.OWNER_VARIABLE, Long.toString(ownerPid));
        return builder.start();
    }
}
