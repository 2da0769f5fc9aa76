package io.tunefleet.worker.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An engine's log holds its own run: one left at the same path (an earlier database's task 1) is replaced. */
class ProcessEngineLogTest {

    @TempDir
    Path dir;

    @Test
    void anEnginesLogStartsEmptyWhateverWasAtItsPath() throws Exception {
        Path log = dir.resolve("task-1").resolve("experiment-1-attempt-1.log");
        Files.createDirectories(log.getParent());
        Files.writeString(log, "an earlier run's output\n");

        ProcessEngine engine = ProcessEngine.start(List.of("sh", "-c", "echo this run"), Map.of(), log, 1_000);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> !engine.alive());
        } finally {
            engine.close();
        }

        assertThat(Files.readString(log)).isEqualTo("this run\n");
    }
}
