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
 * job came from, and confirmed before the caller acks. A dead letter the broker did not take (a
 * dead-letter queue an operator capped with {@code reject-publish}, say) is reported to the caller,
 * which decides what becomes of the original; the channel stays open for that.
 */
final class DeadLetters {

    private DeadLetters() {
    }

    /**
     * Publishes the dead letter to {@code deadLetterQueue} ({@link Topology#DEAD_LETTER_QUEUE}, or in
     * tests one that refuses messages) and waits for the broker's confirm.
     *
     * @param channel a channel in confirm mode, as every worker channel is
     * @return null once the broker confirmed the dead letter, else why it is not parked (refused, or
     *         no confirm within {@code confirmTimeout})
     */
    static String park(Channel channel, String deadLetterQueue, AMQP.BasicProperties original, byte[] body,
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
            // publishes nothing else on it. Unlike waitForConfirmsOrDie, a refusal leaves the channel
            // open, so the caller can still settle the original on it.
            return channel.waitForConfirms(confirmTimeout.toMillis()) ? null
                    : deadLetterQueue + " refused it (a full queue that rejects publishes?)";
        } catch (TimeoutException e) {
            return "no confirm from " + deadLetterQueue + " within " + confirmTimeout;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the dead letter's confirm", e);
        }
    }
}
