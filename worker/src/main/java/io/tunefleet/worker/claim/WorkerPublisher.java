package io.tunefleet.worker.claim;

import io.tunefleet.common.message.BatchMessage;
import io.tunefleet.common.message.MessageCodec;
import io.tunefleet.common.message.ResultMessage;
import io.tunefleet.common.message.Schema;
import io.tunefleet.common.message.Topology;
import io.tunefleet.common.message.WorkerMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * Sends claims and results persistent, and returns only once the broker confirmed them. Claims or
 * results ready together go as one batch message, so that k of them cost the broker one persistent
 * message and the worker one wait for its confirm, not k.
 */
public final class WorkerPublisher {

    private final RabbitTemplate template;
    private final Duration confirmTimeout;
    private volatile boolean duplicateResults;
    /** Off until the coordinator says it reads batch messages ({@link io.tunefleet.common.message.ControlMessage#readsBatches}). */
    private volatile boolean batching;

    public WorkerPublisher(RabbitTemplate template, Duration confirmTimeout) {
        this.template = template;
        this.confirmTimeout = confirmTimeout;
    }

    /** How long a publish may wait for the broker's confirm. */
    public Duration confirmTimeout() {
        return confirmTimeout;
    }

    /** Fault testing: publish every result twice. */
    public void duplicateResults(boolean on) {
        duplicateResults = on;
    }

    /** Whether several messages ready together go as one {@link BatchMessage}; off, each goes on its own. */
    public void batching(boolean on) {
        batching = on;
    }

    /**
     * Publishes the messages, several as one {@link BatchMessage} (up to {@link BatchMessage#MAX_MESSAGES}
     * in each) once {@link #batching} is on, then waits for the confirms, at most the confirm timeout in all.
     * Never throws for the broker: what could not be published (no connection, say) is reported unconfirmed.
     *
     * @return the messages the broker did not confirm, by identity, each with why; empty when all were confirmed
     */
    public Map<WorkerMessage, String> sendAllConfirmed(List<? extends WorkerMessage> messages) {
        int perMessage = batching ? BatchMessage.MAX_MESSAGES : 1;
        List<List<? extends WorkerMessage>> chunks = new ArrayList<>();
        for (int from = 0; from < messages.size(); from += perMessage) {
            chunks.add(messages.subList(from, Math.min(messages.size(), from + perMessage)));
        }
        List<CorrelationData> correlations = new ArrayList<>(chunks.size());
        String notPublished = null;
        for (List<? extends WorkerMessage> chunk : chunks) {
            WorkerMessage wire = chunk.size() == 1 ? chunk.get(0)
                    : new BatchMessage(Schema.VERSION, chunk.get(0).workerId(), List.copyOf(chunk));
            try {
                correlations.add(publish(wire));
                if (duplicateResults && chunk.stream().anyMatch(m -> m instanceof ResultMessage)) {
                    publish(wire);
                }
            } catch (RuntimeException e) {
                notPublished = "not published: " + e.getMessage();
                break;
            }
        }
        long deadline = System.nanoTime() + confirmTimeout.toNanos();
        Map<WorkerMessage, String> failed = new IdentityHashMap<>();
        for (int i = 0; i < chunks.size(); i++) {
            String problem = i < correlations.size() ? awaitConfirm(correlations.get(i), deadline) : notPublished;
            if (problem != null) {
                chunks.get(i).forEach(m -> failed.put(m, problem));
            }
        }
        return failed;
    }

    private CorrelationData publish(WorkerMessage message) {
        MessageProperties props = new MessageProperties();
        props.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        props.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        CorrelationData correlation = new CorrelationData();
        template.send("", Topology.RESULTS_QUEUE, new Message(MessageCodec.encode(message), props), correlation);
        return correlation;
    }

    /** Null once the broker confirmed the message, else why not. */
    private String awaitConfirm(CorrelationData correlation, long deadlineNanos) {
        CorrelationData.Confirm confirm;
        try {
            long left = Math.max(0, deadlineNanos - System.nanoTime());
            confirm = correlation.getFuture().get(left, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted waiting for a publisher confirm";
        } catch (Exception e) {
            return "no publisher confirm within " + confirmTimeout + " (" + e + ")";
        }
        if (!confirm.ack() || correlation.getReturned() != null) {
            return "broker did not accept the message: " + (confirm.reason() != null ? confirm.reason() : "unroutable");
        }
        return null;
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
