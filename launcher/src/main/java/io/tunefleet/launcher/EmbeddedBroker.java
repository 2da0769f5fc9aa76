package io.tunefleet.launcher;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.qpid.server.SystemLauncher;
import org.apache.qpid.server.SystemLauncherListener;
import org.apache.qpid.server.model.SystemConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apache Qpid Broker-J in this process, speaking AMQP 0-9-1 on 127.0.0.1, with an in-memory store.
 * It lets the standalone mode and the demo run with nothing installed but a JDK, over the same
 * AMQP code paths as the fleet on RabbitMQ.
 */
final class EmbeddedBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedBroker.class);

    private final SystemLauncher launcher;
    private volatile SystemConfig<?> system;
    private final int port;
    private final Path workDir;

    private EmbeddedBroker(int port, Path workDir) {
        this.port = port;
        this.workDir = workDir;
        this.launcher = new SystemLauncher(new SystemLauncherListener.DefaultSystemLauncherListener() {
            @Override
            public void onContainerResolve(SystemConfig<?> config) {
                system = config;
            }
        });
    }

    /** Starts a broker on {@code port}, or on a free port when it is 0. */
    static EmbeddedBroker start(int port) {
        // Qpid reports every exchange, port and store it opens at INFO; only problems are of interest here.
        for (String logger : new String[] {"qpid", "org.apache.qpid"}) {
            if (org.slf4j.LoggerFactory.getLogger(logger) instanceof ch.qos.logback.classic.Logger l) {
                l.setLevel(ch.qos.logback.classic.Level.WARN);
            }
        }
        try {
            int chosen = port == 0 ? freePort() : port;
            Path workDir = Files.createTempDirectory("tunefleet-qpid");
            EmbeddedBroker broker = new EmbeddedBroker(chosen, workDir);
            Map<String, Object> context = new HashMap<>();
            context.put("qpid.amqp_port", Integer.toString(chosen));
            context.put("qpid.work_dir", workDir.toString());
            // Accept RabbitMQ-only queue arguments instead of refusing the declaration.
            context.put("queue.behaviourOnUnknownDeclareArgument", "IGNORE");
            Map<String, Object> attributes = new HashMap<>();
            attributes.put("type", "Memory");
            // Qpid opens the location as a URL itself; a plain file works inside and outside a fat jar.
            Path config = workDir.resolve("initial-config.json");
            try (var in = EmbeddedBroker.class.getResourceAsStream("/qpid-embedded.json")) {
                Files.copy(in, config);
            }
            attributes.put("initialConfigurationLocation", config.toUri().toString());
            // Its default, classpath:system.properties, is a URL scheme the JDK does not know.
            Path systemProperties = Files.writeString(workDir.resolve("system.properties"), "");
            attributes.put("initialSystemPropertiesLocation", systemProperties.toUri().toString());
            attributes.put("startupLoggedToSystemOut", false);
            attributes.put("context", context);
            broker.launcher.startup(attributes);
            broker.dropQpidShutdownHook();
            return broker;
        } catch (Exception e) {
            throw new IllegalStateException("could not start the embedded AMQP broker: " + e.getMessage(), e);
        }
    }

    /**
     * Qpid's broker registers a JVM shutdown hook that closes it the moment the process is told to
     * stop, while the workers and the coordinator sharing this process still use it: refused
     * connections logged as errors, claims and results left unconfirmed, a stack trace on exit. The
     * stack closes the broker itself, last, so that hook goes. Qpid offers no switch for it; should its
     * field ever move, the hook stays and only the exit is noisier.
     */
    private void dropQpidShutdownHook() {
        try {
            Object broker = system.getContainer();
            for (Class<?> c = broker.getClass(); c != null; c = c.getSuperclass()) {
                try {
                    Field hook = c.getDeclaredField("_shutdownHook");
                    hook.setAccessible(true);
                    Runtime.getRuntime().removeShutdownHook((Thread) hook.get(broker));
                    return;
                } catch (NoSuchFieldException e) {
                    // on up the hierarchy
                }
            }
            log.debug("Qpid's broker has no _shutdownHook field; its own shutdown hook stays");
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("Qpid's shutdown hook stays: {}", e.toString());
        }
    }

    URI amqpUri() {
        return URI.create("amqp://guest:guest@127.0.0.1:" + port);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        launcher.shutdown();
        try (var files = Files.walk(workDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
