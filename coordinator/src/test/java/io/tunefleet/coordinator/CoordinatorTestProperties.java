package io.tunefleet.coordinator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;

/** Properties every coordinator context under test needs: its own SQLite file and no broker. */
public final class CoordinatorTestProperties {

    /** Under Maven's build folder, so {@code mvn clean} removes the databases of past runs. */
    static final Path DATABASES = Path.of("target", "test-databases");

    private CoordinatorTestProperties() {
    }

    /**
     * A fresh database file, listeners that never start, and a broker address where nothing listens,
     * so that nothing a test does can reach a real RabbitMQ.
     */
    public static void register(DynamicPropertyRegistry registry, String name) {
        Path database;
        try {
            Files.createDirectories(DATABASES);
            database = Files.createTempDirectory(DATABASES, name + "-").resolve("t.db").toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        registry.add("tunefleet.coordinator.database", database::toString);
        registry.add("spring.rabbitmq.listener.simple.auto-startup", () -> "false");
        registry.add("spring.rabbitmq.listener.direct.auto-startup", () -> "false");
        registry.add("spring.rabbitmq.port", () -> "1");
    }
}
