package io.tunefleet.worker.claim;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import io.tunefleet.common.message.Topology;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Moves a job no worker can run to {@link Topology#DEAD_LETTER_QUEUE}, once, with the reason in a
 * header; the caller then acks the original, so it never loops. Published on the same channel the
 * job came from, before the ack.
 */
final class DeadLetters {

    private DeadLetters() {
    }

    static void park(Channel channel, AMQP.BasicProperties original, byte[] body, String sourceQueue, String reason)
            throws IOException {
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
        channel.basicPublish("", Topology.DEAD_LETTER_QUEUE, props, body);
    }
}
