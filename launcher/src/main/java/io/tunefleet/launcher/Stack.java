package io.tunefleet.launcher;

import io.micrometer.core.instrument.MeterRegistry;
import io.tunefleet.coordinator.CoordinatorApplication;
import io.tunefleet.worker.gpu.GpuInventories;
import io.tunefleet.worker.gpu.GpuPool;
import io.tunefleet.worker.node.WorkerNode;
import io.tunefleet.worker.node.WorkerSettings;
import io.tunefleet.worker.runtime.RuntimeMode;
import io.tunefleet.worker.runtime.RuntimeRouter;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.util.FileSystemUtils;

/**
 * A whole tunefleet in one process: an embedded broker (or a given one), the coordinator service,
 * and simulated workers, each worker with its own AMQP connection as on separate hosts; or one
 * worker on this host's real GPUs.
 */
final class Stack implements AutoCloseable {

    private final EmbeddedBroker broker;
    private final ConfigurableApplicationContext coordinator;
    private final List<WorkerNode> workers;
    private final List<CachingConnectionFactory> connections;
    /** The simulated GPUs' lock directory, the stack's own; null on host GPUs. */
    private final Path privateLocks;
    /** Closes the stack in its order (workers, coordinator, broker) when the JVM is told to stop. */
    private final Thread shutdownHook = new Thread(this::close, "tunefleet-stack-shutdown");
    private final AtomicBoolean closed = new AtomicBoolean();

    private Stack(EmbeddedBroker broker, ConfigurableApplicationContext coordinator, List<WorkerNode> workers,
                  List<CachingConnectionFactory> connections, Path privateLocks) {
        this.broker = broker;
        this.coordinator = coordinator;
        this.workers = workers;
        this.connections = connections;
        this.privateLocks = privateLocks;
    }

    /**
     * How to start a stack.
     *
     * @param rabbitmq     a broker to use; null starts the embedded one
     * @param poolObserver sees each worker's GPU pool before the worker starts (tests attach listeners)
     * @param runtimeMode  {@code ENGINE}: sim experiments run the simulated engine over HTTP and are
     *                     benchmarked; {@code HOLD}: they hold their GPUs for {@code simRunTime}
     * @param nvidiaSmi    null: {@code workers} simulated workers of {@code gpusPerWorker} GPUs each;
     *                     else one worker on this host's GPUs, read with this nvidia-smi binary
     * @param hostLockDir  where the host GPUs' locks are, shared with every worker of the host (with
     *                     {@code nvidiaSmi}); simulated GPUs are locked in a directory of the stack's
     *                     own, removed when it closes
     */
    record Options(int port, Path database, URI rabbitmq, int workers, int gpusPerWorker, Duration simRunTime,
                   Map<String, String> coordinatorProperties, BiConsumer<String, GpuPool> poolObserver,
                   RuntimeMode runtimeMode, String nvidiaSmi, Path hostLockDir) {

        Options(int port, Path database, URI rabbitmq, int workers, int gpusPerWorker, Duration simRunTime,
                Map<String, String> coordinatorProperties, BiConsumer<String, GpuPool> poolObserver) {
            this(port, database, rabbitmq, workers, gpusPerWorker, simRunTime, coordinatorProperties, poolObserver,
                    RuntimeMode.HOLD, null, null);
        }

        Options(int port, Path database, URI rabbitmq, int workers, int gpusPerWorker, Duration simRunTime,
                Map<String, String> coordinatorProperties) {
            this(port, database, rabbitmq, workers, gpusPerWorker, simRunTime, coordinatorProperties, (id, pool) -> { });
        }

        Options withRuntimeMode(RuntimeMode mode) {
            return new Options(port, database, rabbitmq, workers, gpusPerWorker, simRunTime, coordinatorProperties,
                    poolObserver, mode, nvidiaSmi, hostLockDir);
        }

        /**
         * One worker, on the GPUs that {@code binary} (nvidia-smi) lists, instead of simulated ones,
         * locked in {@code lockDir} like those of every other worker of the host.
         */
        Options onHostGpus(String binary, Path lockDir) {
            return new Options(port, database, rabbitmq, 1, 0, simRunTime, coordinatorProperties, poolObserver,
                    runtimeMode, binary, lockDir);
        }
    }

    static Stack start(Options options) throws Exception {
        EmbeddedBroker broker = options.rabbitmq() == null ? EmbeddedBroker.start(0) : null;
        URI amqp = broker != null ? broker.amqpUri() : options.rabbitmq();
        ConfigurableApplicationContext coordinator = null;
        List<WorkerNode> workers = new ArrayList<>();
        List<CachingConnectionFactory> connections = new ArrayList<>();
        boolean host = options.nvidiaSmi() != null;
        // Real GPUs are locked where every worker of this host locks them; simulated ones are private.
        Path privateLocks = host ? null : Files.createTempDirectory("tunefleet-locks");
        try {
            coordinator = startCoordinator(options, amqp);
            Path locks = host ? Files.createDirectories(options.hostLockDir()) : privateLocks;
            for (int i = 1; i <= options.workers(); i++) {
                String id = host ? "gpu-worker" : "sim-worker-" + i;
                CachingConnectionFactory cf = WorkerNode.connectionFactory(amqp);
                connections.add(cf);
                GpuPool pool = new GpuPool(host ? GpuInventories.fromSpec("nvidia-smi", options.nvidiaSmi(), id)
                        : GpuInventories.fromSpec("sim:" + options.gpusPerWorker(), null, id), locks, Clock.systemUTC());
                options.poolObserver().accept(id, pool);
                WorkerNode node = new WorkerNode(WorkerSettings.defaults(id, "localhost")
                        .withPollInterval(Duration.ofMillis(50)).withHeartbeatInterval(Duration.ofSeconds(1)), pool, cf,
                        RuntimeRouter.standard(options.runtimeMode(), options.simRunTime()), Clock.systemUTC());
                // One scrape of the coordinator shows the in-process workers too.
                node.bindMetrics(coordinator.getBean(MeterRegistry.class));
                node.start();
                workers.add(node);
            }
            Stack stack = new Stack(broker, coordinator, workers, connections, privateLocks);
            Runtime.getRuntime().addShutdownHook(stack.shutdownHook);
            return stack;
        } catch (Exception | Error e) {
            new Stack(broker, coordinator, workers, connections, privateLocks).close();
            throw e;
        }
    }

    static ConfigurableApplicationContext startCoordinator(Options options, URI amqp) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("spring.config.name", CoordinatorApplication.CONFIG_NAME);
        props.put("server.port", options.port());
        props.put("tunefleet.coordinator.database", options.database().toString());
        props.put("spring.rabbitmq.addresses", amqp.toString());
        props.putAll(options.coordinatorProperties());
        return Main.runSpring(CoordinatorApplication.class, props, false); // closed by close(), after the workers
    }

    String baseUrl() {
        int port = ((WebServerApplicationContext) coordinator).getWebServer().getPort();
        return "http://127.0.0.1:" + port;
    }

    List<WorkerNode> workers() {
        return workers;
    }

    ConfigurableApplicationContext coordinator() {
        return coordinator;
    }

    /** Where the simulated GPUs are locked, a directory of this stack's own; null on host GPUs. */
    Path privateLocks() {
        return privateLocks;
    }

    /**
     * Workers first, so that they stop claiming while the coordinator can still take their last
     * messages, then the coordinator, then the broker they all used. Also the JVM's shutdown hook.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs, or ran, this same close
            }
        }
        workers.forEach(WorkerNode::stopClaiming);
        workers.forEach(WorkerNode::close);
        connections.forEach(CachingConnectionFactory::destroy);
        if (coordinator != null) {
            coordinator.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (privateLocks != null) {
            try {
                FileSystemUtils.deleteRecursively(privateLocks);
            } catch (IOException e) {
                // a temporary directory: the system's cleaner gets it later
            }
        }
    }
}
