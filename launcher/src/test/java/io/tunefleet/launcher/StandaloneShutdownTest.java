package io.tunefleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunefleet.launcher.fleetbench.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tunefleet standalone} stopped the way a user stops it (Ctrl-C, SIGTERM) while experiments
 * run: the workers stop first and report the runs they cut short, then the coordinator, then the
 * embedded broker, so that nothing logs an error on the way out. Before, Qpid's and Spring's own
 * shutdown hooks closed the broker and the coordinator under the running workers.
 */
class StandaloneShutdownTest {

    @TempDir
    Path dir;

    @Test
    void sigtermWhileExperimentsRunStopsTheStackInOrderWithoutErrors() throws Exception {
        int port = EmbeddedBroker.freePort();
        Path log = dir.resolve("standalone.log");
        ServiceProcess standalone = ServiceProcess.start(log, List.of("-Xmx384m"), List.of("standalone",
                "--port", Integer.toString(port), "--db", dir.resolve("t.db").toString(), "--sim-run-time", "30s"));
        try {
            ApiClient api = new ApiClient("http://127.0.0.1:" + port);
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> api.workers().size() == 2);
            long task = ((Number) api.submit("""
                    {"task_name": "stopped", "model": {"id_or_path": "m"}, "base_runtime": "sim",
                     "parameters": {"mem-fraction-static": [0.7, 0.75, 0.8, 0.85]},
                     "optimization": {"max_iterations": 4, "max_parallel_experiments": 4}}""").get("id")).longValue();
            await().atMost(Duration.ofSeconds(30)).until(() -> running(api, task) > 0);
        } finally {
            standalone.close(); // SIGTERM, and SIGKILL after 15 s
        }

        String printed = Files.readString(log);
        assertThat(standalone.exitCode()).as("exit status after SIGTERM, not the SIGKILL 15 s later").isEqualTo(143);
        assertThat(printed).doesNotContain(" ERROR ", "Exception in thread");
        // The runs the stop cut short were reported before the coordinator closed, not left to a lease,
        // and as cut short by the stop: their retry does not use up the experiment's max_retries.
        assertThat(printed).contains("WORKER_STOPPED on", "stopped during the run; will be retried",
                "not counted against max_retries");
    }

    private static long running(ApiClient api, long task) {
        return api.experiments(task).stream().filter(e -> "RUNNING".equals(e.get("state"))).count();
    }
}
