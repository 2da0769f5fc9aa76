package io.tunefleet.coordinator.dispatch;

import org.springframework.amqp.rabbit.config.SimpleRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.boot.amqp.autoconfigure.SimpleRabbitListenerContainerFactoryConfigurer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Claims and results arrive as batches: whatever is waiting, up to {@link #BATCH_SIZE} messages, is
 * handed over at once and committed in one transaction, then acknowledged together. A batch closes
 * when it is full or when no next message arrives within {@link #QUIET_MS}, so a lone message waits
 * 2 ms for company and a steady trickle at most about {@code BATCH_SIZE × QUIET_MS}.
 */
@Configuration(proxyBeanMethods = false)
class WorkerMessageBatches {

    static final String FACTORY = "workerMessageBatchContainers";
    static final int BATCH_SIZE = 100;
    static final long QUIET_MS = 2;

    @Bean(FACTORY)
    SimpleRabbitListenerContainerFactory batchContainers(SimpleRabbitListenerContainerFactoryConfigurer configurer,
                                                              ConnectionFactory connections) {
        SimpleRabbitListenerContainerFactory factory = new SimpleRabbitListenerContainerFactory();
        configurer.configure(factory, connections);
        factory.setBatchListener(true);
        factory.setConsumerBatchEnabled(true);
        factory.setBatchSize(BATCH_SIZE);
        factory.setReceiveTimeout(QUIET_MS);
        factory.setPrefetchCount(2 * BATCH_SIZE);
        return factory;
    }
}
