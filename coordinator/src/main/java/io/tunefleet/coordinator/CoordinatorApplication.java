package io.tunefleet.coordinator;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The coordinator service: REST API, strategies, dispatcher, result committer, SQLite store. */
@SpringBootApplication
public class CoordinatorApplication {

    /** The coordinator reads {@code coordinator.yml}, so it can share a classpath with the worker. */
    public static final String CONFIG_NAME = "coordinator";

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(CoordinatorApplication.class);
        app.setDefaultProperties(java.util.Map.of("spring.config.name", CONFIG_NAME));
        app.run(args);
    }
}
