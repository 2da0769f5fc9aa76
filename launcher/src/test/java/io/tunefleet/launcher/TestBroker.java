package io.tunefleet.launcher;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.rabbitmq.RabbitMQContainer;

/**
 * The RabbitMQ the integration tests run against: {@code RABBITMQ_URL}, else 127.0.0.1:5672, else
 * a Testcontainers RabbitMQ where Docker can run images. Under {@code CI=true} a missing broker
 * fails the build; on a laptop the tests are skipped, saying why.
 */
final class TestBroker {

    static final String DEFAULT_URL = "amqp://guest:guest@127.0.0.1:5672";
    private static URI uri;

    private TestBroker() {
    }

    static synchronized URI uri() {
        if (uri != null) {
            return uri;
        }
        String configured = System.getenv("RABBITMQ_URL");
        URI candidate = URI.create(configured == null || configured.isBlank() ? DEFAULT_URL : configured);
        if (answers(candidate)) {
            return uri = candidate;
        }
        if (DockerClientFactory.instance().isDockerAvailable()) {
            RabbitMQContainer container = new RabbitMQContainer("rabbitmq:3.13-management");
            container.start();
            return uri = URI.create("amqp://guest:guest@" + container.getHost() + ":" + container.getAmqpPort());
        }
        String why = "no RabbitMQ answers at " + candidate.getHost() + ":" + port(candidate)
                + " and Docker cannot run a RabbitMQ container; start rabbitmq-server or set RABBITMQ_URL";
        if ("true".equals(System.getenv("CI"))) {
            fail(why);
        }
        Assumptions.abort(why);
        return null;
    }

    /** Empties the queues tunefleet uses, so messages left by an earlier run cannot leak into a test. */
    static void purge(URI broker) {
        BrokerQueues.purge(broker);
    }

    private static boolean answers(URI candidate) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(candidate.getHost(), port(candidate)), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int port(URI candidate) {
        return candidate.getPort() == -1 ? 5672 : candidate.getPort();
    }
}
