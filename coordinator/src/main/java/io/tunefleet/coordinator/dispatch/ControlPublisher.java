package io.tunefleet.coordinator.dispatch;

import io.tunefleet.common.message.ControlMessage;
import io.tunefleet.common.message.MessageCodec;
import io.tunefleet.common.message.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.stereotype.Component;

/**
 * Tells every worker to stop work the coordinator no longer wants. Best effort: a worker that misses
 * it finds out anyway, since its claim or result of a cancelled experiment is refused.
 */
@Component
public class ControlPublisher {

    private static final Logger log = LoggerFactory.getLogger(ControlPublisher.class);

    private final RabbitTemplate template;

    ControlPublisher(RabbitTemplate template) {
        this.template = template;
    }

    public void send(ControlMessage control) {
        MessageProperties props = new MessageProperties();
        props.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        try {
            template.send(Topology.CONTROL_EXCHANGE, "", new Message(MessageCodec.encode(control), props));
        } catch (RuntimeException e) {
            log.warn("task {}: could not send {} to the workers ({}); stale work is refused when it reports",
                    control.taskId(), control.kind(), e.getMessage());
        }
    }
}
