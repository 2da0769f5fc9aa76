package io.tunefleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tunefleet.launcher.fleetbench.BrokerBenchmark;
import java.net.URI;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The broker benchmark against the real broker the tests use, briefly. */
class BrokerBenchmarkTest {

    @Test
    void measuresEveryMessageOfBothModesAndCleansUp() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        BrokerBenchmark bench = new BrokerBenchmark(new PrintStream(printed, true, StandardCharsets.UTF_8),
                TestBroker.uri());

        List<Map<String, Object>> results = bench.run(200, 1);

        assertThat(results).extracting(r -> r.get("mode")).containsExactly("persistent", "transient");
        assertThat(results).allSatisfy(r -> {
            assertThat(r.get("messages")).isEqualTo(200);
            assertThat((double) r.get("confirm_p50_ms")).isPositive();
            assertThat((double) r.get("confirm_p99_ms")).isGreaterThanOrEqualTo((double) r.get("confirm_p50_ms"));
        });
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("confirm p50 ms", "persistent", "transient");
    }

    @Test
    void refusesARateItCannotKeep() {
        BrokerBenchmark bench = new BrokerBenchmark(new PrintStream(new ByteArrayOutputStream()),
                URI.create("amqp://guest:guest@127.0.0.1:1"));

        assertThatThrownBy(() -> bench.run(0, 1)).hasMessageContaining("--rate must be 1..100000");
    }
}
