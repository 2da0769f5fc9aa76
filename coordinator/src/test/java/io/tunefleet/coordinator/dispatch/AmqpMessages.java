package io.tunefleet.coordinator.dispatch;

import io.tunefleet.common.message.MessageCodec;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;

/** Worker messages as the coordinator's listeners receive them from the broker. */
final class AmqpMessages {

    private AmqpMessages() {
    }

    static Message message(Object body) {
        return new Message(MessageCodec.encode(body), new MessageProperties());
    }
}
