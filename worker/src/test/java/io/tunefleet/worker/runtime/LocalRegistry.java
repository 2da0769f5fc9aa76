package io.tunefleet.worker.runtime;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A Docker registry (Debian's {@code docker-registry}, the CNCF distribution server) on a free
 * loopback port with its storage in a temporary directory, so the docker runtime's pull can be
 * tested without the internet. Docker treats registries on 127.0.0.0/8 as insecure, so plain HTTP
 * is enough.
 */
final class LocalRegistry implements AutoCloseable {

    static final String BINARY = "/usr/bin/docker-registry";

    private final Process process;
    private final int port;
    private final Path log;

    private LocalRegistry(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Why no registry can run here, or null when one can. */
    static String unavailable() {
        return Files.isExecutable(Path.of(BINARY)) ? null
                : BINARY + " is missing; install Debian's docker-registry package";
    }

    static LocalRegistry start(Path dir) throws IOException, InterruptedException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path config = dir.resolve("registry.yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:%d
                """.formatted(dir.resolve("storage"), port));
        Path log = dir.resolve("registry.log");
        Process process = new ProcessBuilder(BINARY, "serve", config.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        LocalRegistry registry = new LocalRegistry(process, port, log);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!registry.answers()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                registry.close();
                throw new IOException("docker-registry did not answer on 127.0.0.1:" + port + ": "
                        + Files.readString(log));
            }
            Thread.sleep(50);
        }
        return registry;
    }

    /** {@code 127.0.0.1:<port>/<name>}, a repository in this registry. */
    String repository(String name) {
        return "127.0.0.1:" + port + "/" + name;
    }

    boolean answers() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
