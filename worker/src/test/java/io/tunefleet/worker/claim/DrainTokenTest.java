package io.tunefleet.worker.claim;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.ConnectionFactory;
import io.tunefleet.worker.node.WorkerNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/**
 * One node of a size drains at a time, against a real RabbitMQ: each worker its own settings, as on
 * separate hosts. Under {@code CI=true} a missing broker fails the test; elsewhere it is skipped.
 */
class DrainTokenTest {

    private static final int NODE = 977; // a size no other test uses: its token is this test's alone

    private final List<CachingConnectionFactory> connections = new ArrayList<>();

    @BeforeEach
    void requireBroker() {
        LocalRabbit.require();
    }

    @AfterEach
    void disconnect() {
        connections.forEach(CachingConnectionFactory::destroy);
    }

    @Test
    void oneNodeOfASizeHoldsItUntilItLetsGoOrItsConnectionCloses() {
        DrainToken a = token(connect(), NODE, Duration.ZERO);
        DrainToken b = token(connect(), NODE, Duration.ZERO);
        DrainToken otherSize = token(connect(), NODE + 1, Duration.ZERO);

        assertThat(a.hold(true)).isTrue();
        assertThat(b.hold(true)).as("another node drains").isFalse();
        assertThat(a.hold(true)).as("kept while wanted").isTrue();
        assertThat(otherSize.hold(true)).as("nodes of another size drain for their own jobs").isTrue();

        assertThat(a.hold(false)).isFalse();
        assertThat(b.hold(true)).as("given back").isTrue();
        assertThat(a.hold(true)).isFalse();

        b.close(); // b's worker stops
        assertThat(b.held()).isFalse();
        assertThat(a.hold(true)).as("the token went with b's connection").isTrue();
        assertThat(otherSize.hold(false)).isFalse();
        a.close();
    }

    @Test
    void aRefusedNodeDoesNotAskAgainBeforeItsRetryTime() {
        DrainToken a = token(connect(), NODE + 2, Duration.ZERO);
        DrainToken patient = token(connect(), NODE + 2, Duration.ofHours(1));

        assertThat(a.hold(true)).isTrue();
        assertThat(patient.hold(true)).isFalse();
        assertThat(a.hold(false)).isFalse();
        assertThat(patient.hold(true)).as("an hour has not passed").isFalse();
        assertThat(a.hold(true)).isTrue();
        a.close();
    }

    @Test
    void aTokenTriesEachBrokerAddressInTurn() throws Exception {
        // The worker's factory names a port nothing listens on, as when the first node of a cluster is
        // down; the broker answers at the second address.
        ConnectionFactory firstNodeDown = connect().getRabbitConnectionFactory().clone();
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        firstNodeDown.setPort(closed);
        List<String> addresses = List.of("127.0.0.1:" + closed,
                LocalRabbit.BROKER.getHost() + ":" + LocalRabbit.BROKER.getPort());
        DrainToken token = new DrainToken(firstNodeDown, addresses, NODE + 3, Clock.systemUTC(), Duration.ZERO);

        assertThat(token.hold(true)).as("taken on the second address").isTrue();
        token.close();
    }

    private CachingConnectionFactory connect() {
        CachingConnectionFactory factory = WorkerNode.connectionFactory(LocalRabbit.BROKER);
        connections.add(factory);
        return factory;
    }

    private static DrainToken token(CachingConnectionFactory connection, int nodeGpus, Duration retryAfter) {
        return new DrainToken(connection.getRabbitConnectionFactory(), List.of(), nodeGpus, Clock.systemUTC(),
                retryAfter);
    }
}
