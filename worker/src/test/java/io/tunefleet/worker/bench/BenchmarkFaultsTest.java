package io.tunefleet.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunefleet.worker.sim.LatencyModel;
import io.tunefleet.worker.sim.SimEngine;
import io.tunefleet.worker.sim.SimEngineOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class BenchmarkFaultsTest {

    private static BenchmarkPlan plan(int concurrency, int requests) {
        return new BenchmarkPlan(List.of(TrafficScenario.parse("D(8,4)")), List.of(concurrency), requests,
                Duration.ofSeconds(20), 0, 1, 1);
    }

    @ParameterizedTest(name = "concurrency {0}")
    @ValueSource(ints = {1, 4})
    void http500sAndStreamsClosedEarlyCountAsFailuresByKind(int concurrency) throws Exception {
        // requests 5, 10, 15, 20 get a 500; 4, 8, 12, 16 end after their first tokens: 12 of 20 succeed
        try (SimEngine engine = SimEngine.start(SimEngineOptions.of(0, "m", LatencyModel.pinned(1, 1))
                .withFaults(5, 4))) {
            BenchmarkClient client = new BenchmarkClient(URI.create("http://127.0.0.1:" + engine.port()), "m", false,
                    Duration.ofSeconds(10));

            LevelResult level = client.run(plan(concurrency, 20)).get(0);

            assertThat(level.requests()).isEqualTo(20);
            assertThat(level.successRate()).isEqualTo(0.6);
            assertThat(level.errors()).containsEntry("http_500", 4).containsEntry("stream_incomplete", 4);
            assertThat(level.outputTokens()).isEqualTo(12 * 4);
            assertThat(level.toMetrics()).containsEntry("success_rate", 0.6).containsEntry("failed_requests", 8.0);
        }
    }

    @Test
    @Timeout(60)
    void aReplyWhoseStatusLineIsNotHttpIsABadResponseInTheWarmUpAndTheLevel() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread replies = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        s.getInputStream().read(new byte[65536]); // the request, or enough of it
                        s.getOutputStream().write("HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException closed) {
                        // the next connection, or the server closed
                    }
                }
            }, "malformed-replies");
            replies.setDaemon(true);
            replies.start();
            BenchmarkClient client = new BenchmarkClient(URI.create("http://127.0.0.1:" + server.getLocalPort()), "m",
                    false, Duration.ofSeconds(5));
            BenchmarkPlan withWarmUp = new BenchmarkPlan(List.of(TrafficScenario.parse("D(8,4)")), List.of(2), 4,
                    Duration.ofSeconds(20), 1, 1, 1);

            LevelResult level = client.run(withWarmUp).get(0);

            assertThat(level.successRate()).isZero();
            assertThat(level.errors()).containsOnlyKeys("bad_response");
        }
    }

    @Test
    void aServerThatIsNotThereGivesAZeroSuccessRateNotAnException() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        BenchmarkClient client = new BenchmarkClient(URI.create("http://127.0.0.1:" + port), "m", true,
                Duration.ofSeconds(2));

        LevelResult level = client.run(plan(2, 4)).get(0);

        assertThat(level.successRate()).isZero();
        assertThat(level.errors()).containsOnlyKeys("connection");
        assertThat(level.toMetrics()).doesNotContainKey("ttft_mean_ms").containsEntry("success_rate", 0.0);
    }
}
