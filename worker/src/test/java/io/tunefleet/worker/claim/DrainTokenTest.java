package io.tunefleet.worker.claim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.tunefleet.worker.node.WorkerNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/**
 * One node of a size drains at a time, against a real RabbitMQ: each worker its own settings, as on
 * separate hosts. Most tests take and give back the token in the caller ({@code Runnable::run}), so
 * each answer is final; the last three give it a thread, as the claim loop does, and a broker slow to
 * open a connection. Under {@code CI=true} a missing broker fails the test; elsewhere it is skipped.
 */
class DrainTokenTest {

    private static final int NODE = 977; // a size no other test uses: its token is this test's alone
    /** Not a speed bound: only how long a blocked call may hang before the test fails instead. */
    private static final Duration HANG_GUARD = Duration.ofSeconds(10);

    private final List<CachingConnectionFactory> connections = new ArrayList<>();
    private final List<ExecutorService> executors = new ArrayList<>();

    @BeforeEach
    void requireBroker() {
        LocalRabbit.require();
    }

    @AfterEach
    void disconnect() {
        executors.forEach(ExecutorService::shutdownNow);
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
        DrainToken token = new DrainToken(firstNodeDown, addresses, NODE + 3, Clock.systemUTC(), Duration.ZERO,
                Runnable::run, () -> { });

        assertThat(token.hold(true)).as("taken on the second address").isTrue();
        token.close();
    }

    @Test
    void askingNeverWaitsForTheBrokerToOpenTheTokensConnection() throws Exception {
        SlowBroker broker = new SlowBroker();
        DrainToken token = broker.token(NODE + 4, Duration.ZERO);

        broker.whileConnecting(() -> {
            assertThat(token.hold(true)).as("drains while its connection opens").isTrue();
            assertThat(token.held()).isFalse();
            assertThat(token.hold(true)).as("asked again meanwhile").isTrue();
        });
        broker.awaitSettled("told once taken");
        assertThat(token.held()).isTrue();

        assertThat(token.hold(false)).as("not draining from the moment it is no longer wanted").isFalse();
        broker.awaitSettled("told once given back");
        DrainToken next = token(connect(), NODE + 4, Duration.ZERO);
        assertThat(next.hold(true)).as("given back").isTrue();
        next.close();
        token.close();
    }

    @Test
    void aTokenNoLongerWantedWhenItsConnectionOpensIsGivenBackAtOnce() throws Exception {
        SlowBroker broker = new SlowBroker();
        DrainToken late = broker.token(NODE + 5, Duration.ZERO);
        DrainToken other = token(connect(), NODE + 5, Duration.ZERO);

        broker.whileConnecting(() -> {
            assertThat(late.hold(true)).isTrue();
            assertThat(late.hold(false)).isFalse();
        });
        broker.awaitSettled("told once settled");

        assertThat(late.held()).isFalse();
        assertThat(other.hold(true)).as("free for another node").isTrue();
        other.close();
        late.close();
    }

    @Test
    void aNodeDrainsWhileItAsksForTheTokenAndBackfillsOnceRefused() throws Exception {
        DrainToken holder = token(connect(), NODE + 6, Duration.ZERO);
        assertThat(holder.hold(true)).isTrue();
        SlowBroker broker = new SlowBroker();
        DrainToken refused = broker.token(NODE + 6, Duration.ofHours(1));

        broker.whileConnecting(() -> assertThat(refused.hold(true)).isTrue());
        broker.awaitSettled("told once refused");
        assertThat(refused.hold(true)).as("refused: backfills, and asks again only after an hour").isFalse();
        holder.close();
        refused.close();
    }

    /**
     * A broker that opens a token's connection only once told to, and a thread for the token's takes
     * and give-backs (as the claim loop gives it) that says when each one has ended.
     */
    private final class SlowBroker {
        private final CountDownLatch answers = new CountDownLatch(1);
        private final Semaphore settled = new Semaphore(0);

        DrainToken token(int nodeGpus, Duration retryAfter) throws Exception {
            return new DrainToken(slowToConnect(answers), List.of(), nodeGpus, Clock.systemUTC(), retryAfter,
                    brokerCalls(), settled::release);
        }

        /**
         * Runs {@code calls} while the connection waits at the broker's door, then opens it. A call that
         * waited for the connection itself would hang there: the guard fails the test instead.
         */
        void whileConnecting(Executable calls) {
            try {
                assertTimeoutPreemptively(HANG_GUARD, calls);
            } finally {
                answers.countDown();
            }
        }

        void awaitSettled(String what) throws InterruptedException {
            assertThat(settled.tryAcquire(10, TimeUnit.SECONDS)).as(what).isTrue();
        }
    }

    /** The broker's settings, with each new connection opened only once {@code brokerAnswers} is open. */
    private static ConnectionFactory slowToConnect(CountDownLatch brokerAnswers) throws Exception {
        ConnectionFactory slow = new ConnectionFactory() {
            @Override
            public Connection newConnection(String name) throws IOException, TimeoutException {
                try {
                    brokerAnswers.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
                return super.newConnection(name);
            }
        };
        slow.setUri(LocalRabbit.BROKER);
        return slow;
    }

    /** One thread for a token's takes and give-backs, as the claim loop gives it; ended after the test. */
    private ExecutorService brokerCalls() {
        ExecutorService calls = Executors.newSingleThreadExecutor();
        executors.add(calls);
        return calls;
    }

    private CachingConnectionFactory connect() {
        CachingConnectionFactory factory = WorkerNode.connectionFactory(LocalRabbit.BROKER);
        connections.add(factory);
        return factory;
    }

    private static DrainToken token(CachingConnectionFactory connection, int nodeGpus, Duration retryAfter) {
        return new DrainToken(connection.getRabbitConnectionFactory(), List.of(), nodeGpus, Clock.systemUTC(),
                retryAfter, Runnable::run, () -> { });
    }
}
