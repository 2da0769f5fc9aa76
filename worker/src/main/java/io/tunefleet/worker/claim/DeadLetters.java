package io.tunefleet.worker.claim;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import io.tunefleet.common.message.Topology;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * Moves a job no worker can run to {@link Topology#DEAD_LETTER_QUEUE}, once, with the reason in a
 * header; the caller then acks the original, so it never loops. Published on the same channel the
 * job came from, and confirmed before the caller acks: a dead letter the broker did not take leaves
 * the original unacked, and it comes back when the channel closes.
 */
final class DeadLetters {

    private DeadLetters() {
    }

    /**
     * Publishes the dead letter and waits for the broker's confirm.
     *
     * @param channel a channel in confirm mode, as every worker channel is
     * @throws IOException when the broker refused it or did not confirm it within {@code confirmTimeout};
     *                     the channel is closed then, which hands the original back to its queue
     */
    static void park(Channel channel, AMQP.BasicProperties original, byte[] body, String sourceQueue, String reason,
                     Duration confirmTimeout) throws IOException {
        park(channel, Topology.DEAD_LETTER_QUEUE, original, body, sourceQueue, reason, confirmTimeout);
    }

    /** {@link #park} to another queue; tests use one that refuses messages. */
    static void park(Channel channel, String deadLetterQueue, AMQP.BasicProperties original, byte[] body,
                     String sourceQueue, String reason, Duration confirmTimeout) throws IOException {
        Map<String, Object> headers = new HashMap<>();
        if (original != null && original.getHeaders() != null) {
            headers.putAll(original.getHeaders());
        }
        headers.put(Topology.REASON_HEADER, reason);
        headers.put(Topology.SOURCE_QUEUE_HEADER, sourceQueue);
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .contentType(original == null ? null : original.getContentType())
                .deliveryMode(2)
                .headers(headers)
                .build();
        channel.basicPublish("", deadLetterQueue, props, body);
        try {
            // Waits for whatever this channel published and the broker has not confirmed yet: the take
            // publishes nothing else on it.
            channel.waitForConfirmsOrDie(confirmTimeout.toMillis());
        } catch (TimeoutException e) {
            throw new IOException("no confirm for the dead letter within " + confirmTimeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the dead letter's confirm", e);
        }
    }
}
