package io.tunefleet.worker.node;

import io.tunefleet.common.message.ControlMessage;
import io.tunefleet.common.message.MessageCodec;
import io.tunefleet.common.message.Topology;
import io.tunefleet.common.message.UndecodableMessageException;
import io.tunefleet.worker.claim.ClaimLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;

/**
 * Hears the coordinator's control messages on a queue of its own, bound to the control fanout:
 * cancel a task, abort a stale attempt. The queue is exclusive and goes away with the worker.
 */
final class ControlListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ControlListener.class);

    private final SimpleMessageListenerContainer container;

    ControlListener(ConnectionFactory connections, ClaimLoop claims, String workerId) {
        RabbitAdmin admin = new RabbitAdmin(connections);
        FanoutExchange exchange = new FanoutExchange(Topology.CONTROL_EXCHANGE, true, false);
        // Plain arguments: Spring's AnonymousQueue adds x-queue-leader-locator, which RabbitMQ 3.10
        // refuses for classic queues.
        Queue queue = new Queue("tunefleet.control." + workerId + "." + java.util.UUID.randomUUID(), false, true, true);
        admin.declareExchange(exchange);
        admin.declareQueue(queue);
        admin.declareBinding(BindingBuilder.bind(queue).to(exchange));
        // Re-declared after a broker restart, since the queue is not durable.
        connections.addConnectionListener(connection -> {
            admin.declareExchange(exchange);
            admin.declareQueue(queue);
            admin.declareBinding(BindingBuilder.bind(queue).to(exchange));
        });
        RabbitTemplate deadLetters = new RabbitTemplate(connections);
        container = new SimpleMessageListenerContainer(connections);
        container.setQueues(queue);
        container.setMissingQueuesFatal(false);
        container.setMessageListener((Message message) -> {
            ControlMessage control;
            try {
                control = MessageCodec.decodeControl(message.getBody());
            } catch (UndecodableMessageException e) {
                log.warn("worker {}: an unreadable control message goes to {}: {}", workerId,
                        Topology.DEAD_LETTER_QUEUE, e.getMessage());
                message.getMessageProperties().setHeader(Topology.REASON_HEADER, e.getMessage());
                message.getMessageProperties().setHeader(Topology.SOURCE_QUEUE_HEADER, Topology.CONTROL_EXCHANGE);
                deadLetters.send("", Topology.DEAD_LETTER_QUEUE, message);
                return;
            }
            if (control.readsBatches()) {
                claims.coordinatorReadsBatches();
            }
            switch (control.kind()) {
                case CANCEL_TASK -> {
                    log.info("task {}: cancelled ({}); stopping its experiments on {}", control.taskId(),
                            control.reason(), workerId);
                    claims.cancelTask(control.taskId(), control.reason());
                }
                case JOBS_AVAILABLE -> claims.jobsAvailable(control.gpuCounts(), control.oldestWaitMs());
                case ABORT_ATTEMPT -> {
                    if (control.workerId() == null || control.workerId().equals(workerId)) {
                        claims.abort(control.experimentId(), control.attempt(), control.reason());
                    }
                }
            }
        });
    }

    void start() {
        container.start();
    }

    @Override
    public void close() {
        container.stop();
    }
}
