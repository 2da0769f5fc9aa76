package io.tunefleet.launcher.fleetbench;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Waiting for the fleet: something other than the coordinator answering on its port (a worker's own
 * web server was once handed that port first) is never taken for it, and a coordinator that exited
 * is reported with its log rather than as an answer that could not be read.
 */
class FleetBenchmarkStartTest {

    @TempDir
    Path dir;
    private HttpServer notTheCoordinator;
    private FleetBenchmark bench;

    @BeforeEach
    void start() throws IOException {
        notTheCoordinator = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        notTheCoordinator.createContext("/", exchange -> {
            byte[] body = "{\"status\":404,\"error\":\"Not Found\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(404, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        notTheCoordinator.start();
        bench = new FleetBenchmark(new PrintStream(OutputStream.nullOutputStream()), URI.create("amqp://127.0.0.1"),
                false, dir, 0);
    }

    @AfterEach
    void stop() {
        notTheCoordinator.stop(0);
    }

    private String base() {
        return "http://127.0.0.1:" + notTheCoordinator.getAddress().getPort();
    }

    @Test
    void anotherServerOnThePortIsNotTakenForTheCoordinator() {
        Path log = dir.resolve("coordinator.log");

        assertThatThrownBy(() -> bench.awaitFleet(base(), 0, () -> true, log, Duration.ofMillis(600)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("did not come up")
                .hasMessageContaining("HTTP 404")
                .hasMessageContaining(log.toString());
    }

    @Test
    void aCoordinatorThatExitedIsReportedWithItsLog() {
        Path log = dir.resolve("coordinator.log");

        assertThatThrownBy(() -> bench.awaitFleet(base(), 0, () -> false, log, Duration.ofSeconds(30)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the coordinator exited; see " + log);
    }
}
