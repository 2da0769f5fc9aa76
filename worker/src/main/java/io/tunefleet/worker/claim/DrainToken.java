package io.tunefleet.worker.claim;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.impl.ForgivingExceptionHandler;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
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
 *
 * <p>{@link #hold} never waits for the broker: it leaves the taking or giving back to
 * {@code brokerCalls}, which calls {@code changed} when that is done. The claim loop asks on every
 * pass, and opening a connection takes a claim pass's time many times over (5-15 ms on an idle 2-core
 * machine, more under load), as does closing one: done on the claim loop, every take held up the
 * node's next claim (a whole-node job's too) and every return of the token its next backfill.
 */
final class DrainToken implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DrainToken.class);

    private final ConnectionFactory broker;
    /** The broker nodes to try in turn; empty: the one {@link #broker} names. */
    private final List<Address> addresses;
    private final String queue;
    private final Clock clock;
    private final long retryAfterMs;
    private final Executor brokerCalls;
    private final Runnable changed;
    // Guarded by this. The connection is opened and closed outside the lock, on brokerCalls.
    private Connection connection;
    private boolean wanted;
    /** A take or a give-back is under way on {@link #brokerCalls}. */
    private boolean settling;
    private boolean closed;
    private long refusedUntil;

    /**
     * @param broker      how to reach the broker (the worker's own settings); null: no token, every node may drain
     * @param addresses   the broker nodes, {@code host:port}, tried in turn as for the worker's own
     *                    connection (the token's queue is visible cluster-wide); empty: the one {@code broker} names
     * @param brokerCalls runs the takes and give-backs, one at a time ({@code Runnable::run}: in the caller)
     * @param changed     called once a take or give-back has ended, whatever its outcome
     */
    DrainToken(ConnectionFactory broker, List<String> addresses, int nodeGpus, Clock clock, Duration retryAfter,
               Executor brokerCalls, Runnable changed) {
        this.broker = broker == null ? null : quiet(broker.clone());
        this.addresses = addresses.stream().map(Address::parseAddress).toList();
        this.queue = "tunefleet.drain.gpus." + nodeGpus;
        this.clock = clock;
        this.retryAfterMs = retryAfter.toMillis();
        this.brokerCalls = brokerCalls;
        this.changed = changed;
    }

    /**
     * Whether this worker drains now: {@code wanted}, and the token held or being taken. Starts
     * taking the token when wanted and not held (unless refused within {@code retryAfter}), or giving
     * it back when held and not wanted, without waiting for either. While a take is under way the
     * node drains, as it did while it waited for the broker: backfilling meanwhile would fill the
     * very GPUs it means to keep free. A refusal or broker trouble ends the draining: the node then
     * goes on backfilling.
     */
    synchronized boolean hold(boolean wanted) {
        if (broker == null) {
            return wanted;
        }
        this.wanted = wanted && !closed;
        if (!settling && needsBroker()) {
            settling = true;
            try {
                brokerCalls.execute(this::settle);
            } catch (RejectedExecutionException stopping) {
                settling = false;
            }
        }
        return this.wanted && (held() || settling);
    }

    /** Whether the token is to be taken or given back now. */
    private boolean needsBroker() {
        return wanted ? !held() && clock.millis() >= refusedUntil : connection != null;
    }

    /** On {@link #brokerCalls}: takes or gives back the token until it is as last wanted. */
    private void settle() {
        boolean refused = false; // one try per call: the next hold after retryAfter tries again
        while (true) {
            Connection giveBack;
            boolean takeAgain;
            synchronized (this) {
                if (refused || !needsBroker()) {
                    settling = false;
                    break;
                }
                giveBack = connection;
                connection = null;
                takeAgain = wanted; // its connection was lost: cleared the same way, then taken again
            }
            if (giveBack != null) {
                giveBack.abort(1_000); // closing its connection deletes the queue
                log.info(takeAgain ? "drain token {} lost with its connection; asking again"
                        : "drain token {} given back: backfilling again", queue);
                continue;
            }
            Connection taken = take();
            synchronized (this) {
                if (taken != null) {
                    connection = taken;
                    log.info("drain token {} taken: draining for a whole-node experiment", queue);
                } else {
                    refusedUntil = clock.millis() + retryAfterMs;
                    refused = true;
                }
            }
        }
        changed.run();
    }

    /** A connection holding the token's queue, or null when refused or the broker is away. */
    private Connection take() {
        Connection c = null;
        try {
            c = addresses.isEmpty() ? broker.newConnection("tunefleet-" + queue)
                    : broker.newConnection(addresses, "tunefleet-" + queue);
            c.createChannel().queueDeclare(queue, false, true, true, null);
            return c;
        } catch (IOException | TimeoutException | RuntimeException e) {
            log.debug("drain token {} not taken ({}): another node drains, or the broker is away", queue,
                    e.getMessage());
            if (c != null) {
                c.abort(1_000);
            }
            return null;
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

    /**
     * Gives the token back, if held, before returning; a take still under way gives it back as it
     * ends. No token is taken after this.
     */
    @Override
    public void close() {
        Connection giveBack;
        synchronized (this) {
            closed = true;
            wanted = false;
            giveBack = connection;
            connection = null;
        }
        if (giveBack != null) {
            giveBack.abort(1_000);
        }
    }
}
