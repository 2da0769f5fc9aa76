package io.tunefleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo, as a user runs it: embedded Qpid broker, coordinator and two simulated workers in one process. */
class StandaloneDemoTest {

    @TempDir
    Path dir;

    @Test
    void theDemoRunsTheQuickstartTaskOnTheEmbeddedBrokerAndPrintsTheBestConfiguration() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);

        // No task file: the quickstart built into the jar, whatever the working directory.
        int exit = Main.run(List.of("demo", "--db", dir.resolve("demo.db").toString()), out);

        String printed = captured.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(printed).isZero();
        assertThat(printed).contains("COMPLETED 24/24 done", "Best configuration", "--tp-size");
        assertThat(printed.lines().filter(l -> l.matches("\\s+\\d+\\s+SUCCEEDED.*"))).hasSize(24);
    }

    @Test
    void theBuiltInQuickstartIsTheExampleFile() throws Exception {
        assertThat(TaskFiles.quickstart()).isEqualTo(java.nio.file.Files.readString(Path.of("..", "examples",
                "quickstart.json")));
    }

    @Test
    void workersOnTheEmbeddedBrokerAreSeenLiveByTheCoordinator() throws Exception {
        try (Stack stack = Stack.start(new Stack.Options(0, dir.resolve("live.db"), null, 2, 4,
                java.time.Duration.ofMillis(100), java.util.Map.of()))) {
            var fleet = stack.coordinator().getBean(io.tunefleet.coordinator.fleet.FleetView.class);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                    .until(() -> fleet.live().size() == 2);
            assertThat(fleet.live()).allSatisfy(w -> assertThat(w.heartbeat().gpusTotal()).isEqualTo(4));
        }
    }
}
