package io.tunefleet.worker;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The worker service of one GPU host: GPU pool, claim loop, runtimes, metrics. */
// No logback_events_total, as in the coordinator (CoordinatorApplication says why).
@SpringBootApplication(excludeName =
        "org.springframework.boot.micrometer.metrics.autoconfigure.logging.logback.LogbackMetricsAutoConfiguration")
public class WorkerApplication {

    /** The worker reads {@code worker.yml}, so it can share a classpath with the coordinator. */
    public static final String CONFIG_NAME = "worker";

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(WorkerApplication.class);
        app.setDefaultProperties(java.util.Map.of("spring.config.name", CONFIG_NAME));
        app.run(args);
    }
}
