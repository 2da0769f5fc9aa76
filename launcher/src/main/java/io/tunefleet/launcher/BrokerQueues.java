package io.tunefleet.launcher;

import io.tunefleet.common.message.Topology;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;

/** The durable queues tunefleet uses, emptied before a benchmark or a test so nothing old leaks in. */
public final class BrokerQueues {

    private BrokerQueues() {
    }

    /** Declares (as the services do) and empties every job, result, heartbeat and dead-letter queue. */
    public static void purge(URI broker) {
        CachingConnectionFactory connections = new CachingConnectionFactory(broker);
        try {
            RabbitAdmin admin = new RabbitAdmin(connections);
            List<String> queues = new ArrayList<>(List.of(Topology.RESULTS_QUEUE, Topology.HEARTBEATS_QUEUE,
                    Topology.DEAD_LETTER_QUEUE));
            for (int gpus = 1; gpus <= 8; gpus++) {
                queues.add(Topology.jobQueue(gpus));
            }
            for (String queue : queues) {
                admin.declareQueue(new Queue(queue, true));
                admin.purgeQueue(queue, false);
            }
        } finally {
            connections.destroy();
        }
    }
}
