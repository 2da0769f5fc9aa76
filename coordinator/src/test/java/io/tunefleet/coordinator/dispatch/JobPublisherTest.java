package io.tunefleet.coordinator.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunefleet.common.message.JobMessage;
import io.tunefleet.common.message.Schema;
import io.tunefleet.common.task.BenchmarkSpec;
import io.tunefleet.coordinator.config.CoordinatorProperties;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/** Publishing a batch of jobs waits for their confirms together, within one publish timeout. */
class JobPublisherTest {

    private static final Duration TIMEOUT = Duration.ofMillis(500);

    @Test
    void aBrokerThatNeverConfirmsHoldsABatchForOnePublishTimeoutNotOneForEachJob() {
        JobPublisher publisher = new JobPublisher(new SilentBroker(), noAdmin(), new CoordinatorProperties("db",
                Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(30), TIMEOUT, Duration.ofSeconds(60)));
        List<JobMessage> jobs = LongStream.rangeClosed(1, 5).mapToObj(JobPublisherTest::job).toList();

        long started = System.nanoTime();
        JobPublisher.Outcome outcome = publisher.publishAll(jobs);
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(outcome.confirmed()).isEmpty();
        assertThat(outcome.failures()).hasSize(5).allSatisfy((job, why) -> assertThat(why).contains("no confirm"));
        assertThat(took).as("five jobs, one timeout of %s (one each took %s)", TIMEOUT, TIMEOUT.multipliedBy(5))
                .isLessThan(TIMEOUT.multipliedBy(3));
    }

    private static JobMessage job(long experimentId) {
        return new JobMessage(Schema.VERSION, 1, experimentId, 1, 1, "sim", "/models/m", "latest", new TreeMap<>(),
                new BenchmarkSpec(List.of("D(100,100)"), List.of(1), 30, 200), 60);
    }

    /** A template whose broker takes every message and never confirms any. */
    private static final class SilentBroker extends RabbitTemplate {
        @Override
        public <T> T invoke(OperationsCallback<T> action, com.rabbitmq.client.ConfirmCallback acks,
                            com.rabbitmq.client.ConfirmCallback nacks) {
            return action.doInRabbit(this);
        }

        @Override
        public void send(String exchange, String routingKey, Message message, CorrelationData correlationData) {
            // taken, never confirmed
        }
    }

    private static AmqpAdmin noAdmin() {
        return (AmqpAdmin) Proxy.newProxyInstance(AmqpAdmin.class.getClassLoader(), new Class<?>[] {AmqpAdmin.class},
                (proxy, method, args) -> method.getReturnType() == boolean.class ? Boolean.FALSE : null);
    }
}
