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

    @Test
    void theTailOfALongLogHoldsItsLastLinesWhole() throws Exception {
        Path log = dir.resolve("long.log");
        // 1 MB of request lines, then the two that say why it stopped.
        ProcessEngine engine = ProcessEngine.start(List.of("sh", "-c", "i=0; while [ $i -lt 20000 ]; do "
                + "printf 'INFO: 127.0.0.1 - POST /v1/completions HTTP/1.1 200 OK request %d padding d\\303\\251j\\303\\240\\n' $i; "
                + "i=$((i+1)); done; echo 'torch.OutOfMemoryError: CUDA out of memory'; echo last"), Map.of(), log, 1_000);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> !engine.alive());
        } finally {
            engine.close();
        }

        assertThat(Files.size(log)).isGreaterThan(ProcessEngine.TAIL_BYTES * 3L);
        String tail = engine.logTail(3);
        assertThat(tail.lines().toList()).hasSize(3).endsWith("torch.OutOfMemoryError: CUDA out of memory", "last");
        assertThat(tail.lines().findFirst().orElseThrow()).startsWith("INFO: 127.0.0.1 - POST").contains("request 19999");
        String all = engine.logTail(Integer.MAX_VALUE);
        assertThat(all.length()).as("no more than the end of the log is read").isLessThanOrEqualTo(ProcessEngine.TAIL_BYTES);
        assertThat(all.lines().findFirst().orElseThrow()).as("the line the cut fell in is left out, not half of it")
                .startsWith("INFO: 127.0.0.1 - POST").endsWith("padding d\u00e9j\u00e0"); // two-byte characters, whole
    }
}
