package io.tunefleet.coordinator.dispatch;

import io.tunefleet.common.message.Topology;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.stereotype.Component;

/**
 * Moves a message no retry can fix to {@link Topology#DEAD_LETTER_QUEUE}, once, with the reason in a
 * header. Done by the reader instead of a broker dead-letter argument, so that RabbitMQ and the
 * embedded Qpid broker accept the same queue declarations.
 */
@Component
class DeadLetters {

    private final RabbitTemplate template;

    DeadLetters(RabbitTemplate template) {
        this.template = template;
    }

    /** Returns once the broker confirmed; throws otherwise, and the original is then redelivered. */
    void park(Message message, String sourceQueue, String reason) {
        message.getMessageProperties().setHeader(Topology.REASON_HEADER, reason);
        message.getMessageProperties().setHeader(Topology.SOURCE_QUEUE_HEADER, sourceQueue);
        message.getMessageProperties().setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        CorrelationData correlation = new CorrelationData();
        template.send("", Topology.DEAD_LETTER_QUEUE, message, correlation);
        try {
            if (!correlation.getFuture().get(10, java.util.concurrent.TimeUnit.SECONDS).ack()) {
                throw new IllegalStateException("broker refused the dead letter");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted parking a dead letter", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("no confirm for a dead letter", e);
        }
    }
}
