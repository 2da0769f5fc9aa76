package io.tunefleet.coordinator.config;

import io.tunefleet.common.message.Topology;
import io.tunefleet.coordinator.strategy.Strategies;
import io.tunefleet.coordinator.strategy.StrategyFactory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(CoordinatorProperties.class)
class CoordinatorConfiguration {

    /** GPU counts whose job queues exist from the start; other counts are declared when first used. */
    static final int[] STANDARD_GPU_COUNTS = {1, 2, 4, 8};

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    StrategyFactory strategyFactory() {
        return Strategies::create;
    }

    @Bean
    Declarables topology() {
        List<Declarable> queues = new ArrayList<>();
        for (int gpus : STANDARD_GPU_COUNTS) {
            queues.add(new Queue(Topology.jobQueue(gpus), true));
        }
        queues.add(new Queue(Topology.RESULTS_QUEUE, true));
        queues.add(new Queue(Topology.HEARTBEATS_QUEUE, true));
        queues.add(new Queue(Topology.DEAD_LETTER_QUEUE, true));
        queues.add(new FanoutExchange(Topology.CONTROL_EXCHANGE, true, false));
        return new Declarables(queues);
    }
}
