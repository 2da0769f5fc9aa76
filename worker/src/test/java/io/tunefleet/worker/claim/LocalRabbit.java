package io.tunefleet.worker.claim;

import static org.junit.jupiter.api.Assertions.fail;

import io.tunefleet.common.message.JobMessage;
import io.tunefleet.common.message.MessageCodec;
import io.tunefleet.common.message.Schema;
import io.tunefleet.common.message.Topology;
import io.tunefleet.worker.runtime.Jobs;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * The RabbitMQ the claim tests talk to; under {@code CI=true} a missing one fails, elsewhere it skips.
 * Also how they put a job on it.
 */
public final class LocalRabbit {

    public static final URI BROKER = URI.create("amqp://guest:guest@127.0.0.1:5672");

    private LocalRabbit() {
    }

    /** A template like the worker's own: mandatory sends, on a connection with confirms and returns. */
    static RabbitTemplate template(CachingConnectionFactory connections) {
        RabbitTemplate template = new RabbitTemplate(connections);
        template.setMandatory(true);
        return template;
    }

    /** Empties these queues, declaring them (durable, as the worker does) where they are missing. */
    public static void purge(RabbitTemplate template, String... queues) {
        template.execute(channel -> {
            for (String queue : queues) {
                channel.queueDeclare(queue, true, false, false, null);
                channel.queuePurge(queue);
            }
            return null;
        });
    }

    /**
     * Puts a one-GPU job on its queue as the coordinator would (persistent), without announcing it.
     *
     * @param timeoutS the job's timeout_per_iteration
     */
    static void sendJob(RabbitTemplate template, long taskId, long experimentId, long timeoutS) {
        sendJob(template, taskId, experimentId, 1, timeoutS);
    }

    /** {@link #sendJob} for a job of {@code gpus} GPUs (tensor parallel), on their queue. */
    static void sendJob(RabbitTemplate template, long taskId, long experimentId, int gpus, long timeoutS) {
        TreeMap<String, Object> params = new TreeMap<>();
        if (gpus > 1) {
            params.put("tp-size", gpus);
        }
        JobMessage job = new JobMessage(Schema.VERSION, taskId, experimentId, 1, gpus, "sim",
                "meta-llama/Llama-3.1-8B-Instruct", "latest", params, Jobs.smallBenchmark(), timeoutS);
        MessageProperties props = new MessageProperties();
        props.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        template.send("", Topology.jobQueue(gpus), new Message(MessageCodec.encode(job), props));
    }

    public static void require() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(BROKER.getHost(), BROKER.getPort()), 1_000);
        } catch (IOException e) {
            String why = "no RabbitMQ answers at 127.0.0.1:5672; start rabbitmq-server";
            if ("true".equals(System.getenv("CI"))) {
                fail(why);
            }
            Assumptions.abort(why);
        }
    }
}
