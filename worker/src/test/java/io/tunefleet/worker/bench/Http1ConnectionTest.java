package io.tunefleet.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The benchmark's keep-alive connection against a server that drops idle connections. */
class Http1ConnectionTest {

    @Test
    @Timeout(30)
    void aKeptAliveConnectionTheServerClosedIsReopenedAndTheRequestSentAgain() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // Each connection gets one answer that says keep-alive, then the server closes it, as uvicorn
            // does once a connection has been idle for its keep-alive timeout.
            Thread answers = new Thread(() -> {
                int served = 0;
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        readRequest(s.getInputStream());
                        String body = "answer " + ++served;
                        s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length()
                                + "\r\nConnection: keep-alive\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException closed) {
                        // the next connection, or the server closed
                    }
                }
            }, "idle-closing-server");
            answers.setDaemon(true);
            answers.start();

            try (Http1Connection connection = new Http1Connection(
                    URI.create("http://127.0.0.1:" + server.getLocalPort()), 5_000)) {
                Http1Connection.Response first = connection.post("/v1/completions", "{}".getBytes(StandardCharsets.US_ASCII));
                assertThat(first.reusable()).isTrue();
                assertThat(new String(first.body().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("answer 1");

                Http1Connection.Response second = connection.post("/v1/completions", "{}".getBytes(StandardCharsets.US_ASCII));

                assertThat(second.status()).isEqualTo(200);
                assertThat(new String(second.body().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("answer 2");
            }
        }
    }

    /** Reads a request head and its Content-Length body. */
    private static void readRequest(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before the request ended");
            }
            head.append((char) b);
        }
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                in.readNBytes(Integer.parseInt(line.substring(15).trim()));
            }
        }
    }
}
