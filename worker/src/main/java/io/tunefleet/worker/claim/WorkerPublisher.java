package io.tunefleet.worker.claim;

import io.tunefleet.common.message.MessageCodec;
import io.tunefleet.common.message.Topology;
import io.tunefleet.common.message.WorkerMessage;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/** Sends claims and results persistent, and returns only once the broker confirmed them. */
public final class WorkerPublisher {

    private final RabbitTemplate template;
    private final Duration confirmTimeout;
    private volatile boolean duplicateResults;

    public WorkerPublisher(RabbitTemplate template, Duration confirmTimeout) {
        this.template = template;
        this.confirmTimeout = confirmTimeout;
    }

    /** Fault testing: publish every result twice. */
    public void duplicateResults(boolean on) {
        duplicateResults = on;
    }

    /** @throws IllegalStateException when the broker did not confirm in time or refused */
    public void sendConfirmed(WorkerMessage message) {
        sendOnce(message);
        if (duplicateResults && message instanceof io.tunefleet.common.message.ResultMessage) {
            sendOnce(message);
        }
    }

    private void sendOnce(WorkerMessage message) {
        MessageProperties props = new MessageProperties();
        props.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        props.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        CorrelationData correlation = new CorrelationData();
        template.send("", Topology.RESULTS_QUEUE, new Message(MessageCodec.encode(message), props), correlation);
        CorrelationData.Confirm confirm;
        try {
            confirm = correlation.getFuture().get(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for a publisher confirm", e);
        } catch (Exception e) {
            throw new IllegalStateException("no publisher confirm within " + confirmTimeout, e);
        }
        if (!confirm.ack() || correlation.getReturned() != null) {
            throw new IllegalStateException("broker did not accept the message: "
                    + (confirm.reason() != null ? confirm.reason() : "unroutable"));
        }
    }

    /**
     * Heartbeats are transient. They carry no AMQP expiration: RabbitMQ reads it as a time to live,
     * Qpid Broker-J as an absolute time, which would drop every heartbeat on the embedded broker.
     * The coordinator ignores a heartbeat older than its worker timeout instead.
     */
    public void sendHeartbeat(WorkerMessage heartbeat) {
        MessageProperties props = new MessageProperties();
        props.setDeliveryMode(MessageDeliveryMode.NON_PERSISTENT);
        props.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        template.send("", Topology.HEARTBEATS_QUEUE, new Message(MessageCodec.encode(heartbeat), props));
    }
}
