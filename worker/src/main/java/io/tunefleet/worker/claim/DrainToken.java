package io.tunefleet.worker.claim;

import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.support.ConditionalExceptionLogger;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * Lets one node at a time, of all nodes of one size, stop backfilling for a whole-node experiment.
 * Each worker decides on its own when a whole-node job has starved long enough; if every node that
 * qualifies drained, several would idle GPUs for the one job only one of them can run. A simulation
 * of the benchmark's mixed workload puts that at 5 % of its makespan (18.84 s against 17.85 s with one
 * node draining), and over 80 seeded workloads one draining node is never worse on average.
 *
 * <p>The token is an exclusive, auto-deleted queue, {@code tunefleet.drain.gpus.<N>}: RabbitMQ lets
 * one connection declare it and refuses the others (RESOURCE_LOCKED), and deletes it when its
 * holder's connection closes, so a worker that dies cannot keep it. The holder keeps it while it
 * still wants to drain, and deletes it as soon as it does not. A refused worker asks again only
 * after {@code retryAfter}, since each refusal costs the broker a channel.
 */
public final class DrainToken {

    private static final Logger log = LoggerFactory.getLogger(DrainToken.class);
    private static final String PREFIX = "tunefleet.drain.gpus.";

    private final RabbitTemplate template;
    private final String queue;
    private final Clock clock;
    private final long retryAfterMs;
    private boolean held;
    private long refusedUntil;

    DrainToken(RabbitTemplate template, int nodeGpus, Clock clock, Duration retryAfter) {
        this.template = template;
        this.queue = name(nodeGpus);
        this.clock = clock;
        this.retryAfterMs = retryAfter.toMillis();
    }

    static String name(int nodeGpus) {
        return PREFIX + nodeGpus;
    }

    /**
     * Logs channel closes as {@code next} does, except a refused drain token, which is routine: the
     * connection factory would log each as an error.
     */
    public static ConditionalExceptionLogger quietRefusals(ConditionalExceptionLogger next) {
        return (logger, message, t) -> {
            String text = String.valueOf(t == null ? null : t.getMessage());
            if (text.contains("RESOURCE_LOCKED") && text.contains(PREFIX)) {
                logger.debug("drain token refused: another node drains");
            } else {
                next.log(logger, message, t);
            }
        };
    }

    /**
     * Takes the token when {@code wanted} and gives it back when not; returns whether this worker
     * holds it now. Broker trouble counts as not holding it: the node then goes on backfilling.
     */
    synchronized boolean hold(boolean wanted) {
        if (wanted == held) {
            return held;
        }
        if (!wanted) {
            held = false;
            try {
                template.execute(channel -> channel.queueDelete(queue));
            } catch (AmqpException e) {
                log.debug("drain token {} not deleted ({}); it goes with this worker's connection", queue,
                        e.getMessage());
            }
            return false;
        }
        long now = clock.millis();
        if (now < refusedUntil) {
            return false;
        }
        try {
            template.execute(channel -> channel.queueDeclare(queue, false, true, true, null));
            held = true;
        } catch (AmqpException e) {
            refusedUntil = now + retryAfterMs; // another node drains (or the broker is away)
        }
        return held;
    }

    synchronized boolean held() {
        return held;
    }
}
