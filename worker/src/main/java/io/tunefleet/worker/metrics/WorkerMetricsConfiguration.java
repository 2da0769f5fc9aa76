package io.tunefleet.worker.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.tunefleet.worker.node.WorkerNode;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Binds the worker service's node to the service's registry, which {@code /actuator/prometheus} serves. */
@Configuration(proxyBeanMethods = false)
class WorkerMetricsConfiguration {

    @Bean
    WorkerMeters workerMeters(WorkerNode node, MeterRegistry registry) {
        return node.bindMetrics(registry);
    }
}
