package io.tunefleet.worker.claim;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunefleet.common.message.BatchMessage;
import io.tunefleet.common.message.MessageCodec;
import io.tunefleet.common.message.ResultMessage;
import io.tunefleet.common.message.Schema;
import io.tunefleet.common.message.Topology;
import io.tunefleet.common.message.WorkerMessage;
import io.tunefleet.worker.node.WorkerNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * The outbox against a real RabbitMQ: a worker that stops right after its last experiments ended
 * still sends their results (that the worker stopped during a run, say) instead of dropping them.
 */
class ResultOutboxTest {

    private CachingConnectionFactory connections;
    private RabbitTemplate template;
    private WorkerPublisher publisher;

    @BeforeEach
    void connect() {
        LocalRabbit.require();
        connections = WorkerNode.connectionFactory(LocalRabbit.BROKER);
        template = LocalRabbit.template(connections);
        publisher = new WorkerPublisher(template, Duration.ofSeconds(5));
        new JobSource(template, publisher, "w-outbox", "host", java.time.Clock.systemUTC(), t -> false,
                new QueueHints(1), refused -> { }).declareQueues(1);
        purge();
    }

    @AfterEach
    void disconnect() {
        if (connections != null) {
            purge();
            connections.destroy();
        }
    }

    @Test
    void resultsQueuedRightBeforeTheCloseAreSentNotDropped() {
        publisher.batching(true);
        ResultOutbox outbox = new ResultOutbox(publisher, "w-outbox");
        for (long id = 1; id <= 5; id++) {
            outbox.send(new ResultMessage(Schema.VERSION, "w-outbox", 9, id, 1, ResultMessage.Outcome.SUCCEEDED, null,
                    null, Map.of("e2e_latency_mean_s", 0.5), List.of(0), 1_000L, 2_000L));
        }

        outbox.close();

        assertThat(sent()).extracting(ResultMessage::experimentId).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L);
    }

    /** The results on the queue, batches opened. */
    private List<ResultMessage> sent() {
        List<ResultMessage> all = new ArrayList<>();
        Message m;
        while ((m = template.receive(Topology.RESULTS_QUEUE, 1_000)) != null) {
            WorkerMessage message = MessageCodec.decodeWorkerMessage(m.getBody());
            List<WorkerMessage> parts = message instanceof BatchMessage b ? b.messages() : List.of(message);
            parts.forEach(p -> all.add((ResultMessage) p));
        }
        return all;
    }

    private void purge() {
        LocalRabbit.purge(template, Topology.RESULTS_QUEUE);
    }
}
