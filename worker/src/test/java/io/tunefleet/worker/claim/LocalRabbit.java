package io.tunefleet.worker.claim;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import org.junit.jupiter.api.Assumptions;

/** The RabbitMQ the claim tests talk to; under {@code CI=true} a missing one fails, elsewhere it skips. */
public final class LocalRabbit {

    public static final URI BROKER = URI.create("amqp://guest:guest@127.0.0.1:5672");

    private LocalRabbit() {
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
