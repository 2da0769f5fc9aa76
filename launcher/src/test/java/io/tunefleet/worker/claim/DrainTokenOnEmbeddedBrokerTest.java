package io.tunefleet.worker.claim;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunefleet.launcher.EmbeddedBrokers;
import io.tunefleet.worker.node.WorkerNode;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * The drain token on the embedded broker (Qpid), which refuses a second exclusive declare by closing
 * the whole connection, not the channel as RabbitMQ does: the refused worker's own connection, and
 * the exclusive control queue on it, must not go with it.
 */
class DrainTokenOnEmbeddedBrokerTest {

    @Test
    void aRefusalClosesOnlyTheTokensConnectionNotTheWorkers() throws Exception {
        try (AutoCloseable broker = EmbeddedBrokers.start()) {
            CachingConnectionFactory aWorker = WorkerNode.connectionFactory(EmbeddedBrokers.amqpUri(broker));
            CachingConnectionFactory bWorker = WorkerNode.connectionFactory(EmbeddedBrokers.amqpUri(broker));
            try {
                RabbitTemplate b = new RabbitTemplate(bWorker);
                com.rabbitmq.client.Connection bConnection = b.execute(channel -> channel.getConnection());
                b.execute(channel -> channel.queueDeclare("b-control", false, true, true, null));
                DrainToken aToken = new DrainToken(aWorker.getRabbitConnectionFactory(), List.of(), 8,
                        Clock.systemUTC(), Duration.ZERO, Runnable::run, () -> { });
                DrainToken bToken = new DrainToken(bWorker.getRabbitConnectionFactory(), List.of(), 8,
                        Clock.systemUTC(), Duration.ZERO, Runnable::run, () -> { });

                assertThat(aToken.hold(true)).isTrue();
                assertThat(bToken.hold(true)).isFalse();
                assertThat(bToken.hold(true)).isFalse();

                com.rabbitmq.client.Connection after = b.execute(channel -> channel.getConnection());
                assertThat((Object) after).as("b's own connection").isSameAs(bConnection);
                b.execute(channel -> channel.queueDeclarePassive("b-control")); // still there
                assertThat(aToken.hold(false)).isFalse();
                assertThat(bToken.hold(true)).isTrue();
                bToken.close();
                aToken.close();
            } finally {
                aWorker.destroy();
                bWorker.destroy();
            }
        }
    }
}
