package io.tunefleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tunefleet.launcher.fleetbench.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code coordinator --port 0 --port-file FILE}: the coordinator serves on whatever port the system
 * gave it and writes that port to the file, so a caller (the benchmarks) starts it without picking a
 * port in advance that another process could take first.
 */
class CoordinatorPortFileTest {

    @TempDir
    Path dir;

    @Test
    void aCoordinatorOnPortZeroWritesThePortItServesOn() throws Exception {
        Path portFile = dir.resolve("coordinator.port");
        ServiceProcess coordinator = ServiceProcess.start(dir.resolve("coordinator.log"), List.of("-Xmx256m"),
                List.of("coordinator", "--port", "0", "--port-file", portFile.toString(), "--db",
                        dir.resolve("t.db").toString(), "--rabbitmq", TestBroker.uri().toString()));
        try {
            int port = coordinator.awaitPortFile(portFile, Duration.ofSeconds(120));

            assertThat(port).isPositive();
            assertThat(new ApiClient("http://127.0.0.1:" + port).tasks()).as("its API, on that port").isEmpty();
        } finally {
            coordinator.close();
        }
    }

    @Test
    void aServiceThatExitsBeforeItServesIsReportedWithItsLog() throws Exception {
        Path log = dir.resolve("help.log");
        try (ServiceProcess help = ServiceProcess.start(log, List.of(), List.of("help"))) {
            assertThatThrownBy(() -> help.awaitPortFile(dir.resolve("never.port"), Duration.ofSeconds(60)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("the service exited before it served; see " + log);
        }
    }
}
