package io.tunefleet.coordinator;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The coordinator service: REST API, strategies, dispatcher, result committer, SQLite store. */
// No logback_events_total (no dashboard reads it): Micrometer counts log events with a turbo filter that
// runs before every log call, even one below the level, and took 4.8 % of the coordinator's profile
// samples on the fleet benchmark's throughput workload.
@SpringBootApplication(excludeName =
        "org.springframework.boot.micrometer.metrics.autoconfigure.logging.logback.LogbackMetricsAutoConfiguration")
public class CoordinatorApplication {

    /** The coordinator reads {@code coordinator.yml}, so it can share a classpath with the worker. */
    public static final String CONFIG_NAME = "coordinator";

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(CoordinatorApplication.class);
        app.setDefaultProperties(java.util.Map.of("spring.config.name", CONFIG_NAME));
        app.run(args);
    }
}
