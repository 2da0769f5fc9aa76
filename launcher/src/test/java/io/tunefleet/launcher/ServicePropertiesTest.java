package io.tunefleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code tunefleet coordinator} and {@code worker} pass Spring only the properties their options set:
 * command-line properties outrank the environment and {@code -D} options, so a default passed there
 * would silently override {@code SERVER_PORT} or {@code TUNEFLEET_COORDINATOR_DATABASE}.
 */
class ServicePropertiesTest {

    private static final Set<String> COORDINATOR_OPTIONS = Set.of("port", "db", "rabbitmq", "port-file");

    @Test
    void withoutOptionsTheCoordinatorLeavesPortDatabaseAndBrokerToTheEnvironmentAndItsDefaults() {
        List<String> props = Main.coordinatorProperties(Args.parse(List.of(), COORDINATOR_OPTIONS, Set.of()), Map.of());

        assertThat(props).containsExactly("spring.config.name=coordinator");
    }

    @Test
    void optionsAndRabbitmqUrlAreWhatTheCoordinatorIsGiven() {
        List<String> props = Main.coordinatorProperties(Args.parse(List.of("--port", "9000", "--db", "/data/t.db"),
                COORDINATOR_OPTIONS, Set.of()), Map.of("RABBITMQ_URL", "amqp://u:p@broker:5672"));

        assertThat(props).contains("server.port=9000", "tunefleet.coordinator.database=/data/t.db",
                "spring.rabbitmq.addresses=amqp://u:p@broker:5672");
        assertThat(Main.coordinatorProperties(Args.parse(List.of("--rabbitmq", "amqp://a@b:1"), COORDINATOR_OPTIONS,
                Set.of()), Map.of("RABBITMQ_URL", "amqp://u:p@broker:5672")))
                .as("the option before the variable").contains("spring.rabbitmq.addresses=amqp://a@b:1");
    }

    @Test
    void withoutOptionsTheWorkerLeavesPortAndBrokerToTheEnvironmentAndItsDefaults() {
        List<String> props = Main.workerProperties(Args.parse(List.of("--gpus", "sim:2"),
                Set.of("gpus", "port", "rabbitmq"), Set.of()), Map.of());

        assertThat(props).noneMatch(p -> p.startsWith("server.port=") || p.startsWith("spring.rabbitmq."))
                .contains("tunefleet.worker.gpus=sim:2");
    }
}
