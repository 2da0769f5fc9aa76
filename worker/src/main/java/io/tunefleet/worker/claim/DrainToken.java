package io.tunefleet.worker.claim;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.impl.ForgivingExceptionHandler;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets one node at a time, of all nodes of one size, stop backfilling for a whole-node experiment.
 * Each worker decides on its own when a whole-node job has starved long enough; if every node that
 * qualifies drained, several would idle GPUs for the one job only one of them can run. A simulation
 * of the benchmark's mixed workload puts that at 5 % of its makespan (18.84 s against 17.85 s with one
 * node draining), and over 80 seeded workloads one draining node is never worse on average.
 *
 * <p>The token is an exclusive queue, {@code tunefleet.drain.gpus.<N>}, declared on a connection of
 * its own: the broker lets one connection declare it and refuses the others, and deletes it when
 * that connection closes. Taking the token opens the connection and declares the queue; giving it
 * back closes the connection. A refusal closes only that connection (RabbitMQ closes the channel,
 * Qpid the whole connection), never the worker's own, and a token whose connection was lost is no
 * longer held. A worker whose process ends gives the token back with its connection; one cut off by
 * the network, once the broker's heartbeat timeout notices. A refused worker asks again only after
 * {@code retryAfter}, since each attempt costs the broker a connection.
 */
final class DrainToken implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DrainToken.class);

    private final ConnectionFactory broker;
    /** The broker nodes to try in turn; empty: the one {@link #broker} names. */
    private final List<Address> addresses;
    private final String queue;
    private final Clock clock;
    private final long retryAfterMs;
    private Connection connection;
    private long refusedUntil;

    /**
     * @param broker    how to reach the broker (the worker's own settings); null: no token, every node may drain
     * @param addresses the broker nodes, {@code host:port}, tried in turn as for the worker's own
     *                  connection (the token's queue is visible cluster-wide); empty: the one {@code broker} names
     */
    DrainToken(ConnectionFactory broker, List<String> addresses, int nodeGpus, Clock clock, Duration retryAfter) {
        this.broker = broker == null ? null : quiet(broker.clone());
        this.addresses = addresses.stream().map(Address::parseAddress).toList();
        this.queue = "tunefleet.drain.gpus." + nodeGpus;
        this.clock = clock;
        this.retryAfterMs = retryAfter.toMillis();
    }

    /**
     * Takes the token when {@code wanted} and gives it back when not; returns whether this worker
     * holds it now. Broker trouble counts as not holding it: the node then goes on backfilling.
     */
    synchronized boolean hold(boolean wanted) {
        if (broker == null) {
            return wanted;
        }
        if (!wanted) {
            close();
            return false;
        }
        if (held()) {
            return true;
        }
        long now = clock.millis();
        if (now < refusedUntil) {
            return false;
        }
        try {
            connection = addresses.isEmpty() ? broker.newConnection("tunefleet-" + queue)
                    : broker.newConnection(addresses, "tunefleet-" + queue);
            connection.createChannel().queueDeclare(queue, false, true, true, null);
            return true;
        } catch (IOException | TimeoutException | RuntimeException e) {
            log.debug("drain token {} not taken ({}): another node drains, or the broker is away", queue,
                    e.getMessage());
            close();
            refusedUntil = now + retryAfterMs;
            return false;
        }
    }

    /** The worker's settings, with a refused token's connection, closed under the client, logged at debug. */
    private static ConnectionFactory quiet(ConnectionFactory settings) {
        settings.setAutomaticRecoveryEnabled(false);
        settings.setExceptionHandler(new ForgivingExceptionHandler() {
            @Override
            public void handleUnexpectedConnectionDriverException(Connection conn, Throwable exception) {
                log.debug("drain token connection closed: {}", exception.getMessage());
            }
        });
        return settings;
    }

    /** Whether this worker holds the token: its connection, which owns the queue, is open. */
    synchronized boolean held() {
        return connection != null && connection.isOpen();
    }

    /** Gives the token back, if held: closing its connection deletes the queue. */
    @Override
    public synchronized void close() {
        if (connection != null) {
            connection.abort(1_000);
            connection = null;
        }
    }
}
