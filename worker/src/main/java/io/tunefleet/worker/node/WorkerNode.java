package io.tunefleet.worker.node;

import io.tunefleet.common.message.HeartbeatMessage;
import io.tunefleet.common.message.Schema;
import io.tunefleet.worker.claim.ClaimLoop;
import io.tunefleet.worker.claim.WorkerPublisher;
import io.tunefleet.worker.concurrent.DaemonThreads;
import io.tunefleet.worker.gpu.GpuPool;
import io.tunefleet.worker.metrics.WorkerMeters;
import io.micrometer.core.instrument.MeterRegistry;
import io.tunefleet.worker.runtime.ExperimentRuntime;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * One worker: its GPU pool, its claim loop and its heartbeat. Plain Java, so the worker service
 * runs one and the standalone mode runs several in one process over the same AMQP code paths.
 */
public final class WorkerNode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WorkerNode.class);

    private final WorkerSettings settings;
    private final GpuPool pool;
    private final WorkerPublisher publisher;
    private final ClaimLoop claims;
    private final ControlListener control;
    private final ConnectionFactory connections;
    private final Clock clock;
    /** When this node was made, before any claim of its own: heartbeats carry it, so a restart shows. */
    private final long startedAtMs;
    private final ScheduledExecutorService heartbeats =
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("heartbeat"));
    /**
     * Re-checks quarantined and busy GPUs, apart from the heartbeat: on a sick GPU nvidia-smi can take
     * its whole timeout, and a heartbeat waiting for it would have the worker counted lost.
     */
    private final ScheduledExecutorService gpuChecks =
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("gpu-recheck"));

    public WorkerNode(WorkerSettings settings, GpuPool pool, ConnectionFactory connections, ExperimentRuntime runtime,
                      Clock clock) {
        this.settings = settings;
        this.pool = pool;
        this.clock = clock;
        this.startedAtMs = clock.millis();
        this.connections = connections;
        RabbitTemplate template = new RabbitTemplate(connections);
        template.setMandatory(true);
        this.publisher = new WorkerPublisher(template, settings.confirmTimeout());
        this.claims = new ClaimLoop(pool, template, publisher, runtime, settings.workerId(), settings.host(),
                settings.pollInterval(), settings.cleanGrace(), settings.stopWait(), settings.brokerAddresses(), clock);
        this.control = new ControlListener(connections, claims, settings.workerId());
    }

    /** A connection factory with publisher confirms and returns, as the worker needs. */
    public static CachingConnectionFactory connectionFactory(URI amqpUri) {
        CachingConnectionFactory factory = new CachingConnectionFactory(amqpUri);
        factory.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.CORRELATED);
        factory.setPublisherReturns(true);
        return factory;
    }

    /**
     * Starts the node. The first heartbeat goes out before the first claim can, so that the
     * coordinator knows this worker by the time it reads a claim of it.
     */
    public void start() {
        control.start();
        sendHeartbeat();
        claims.start();
        long every = settings.heartbeatInterval().toMillis();
        heartbeats.scheduleWithFixedDelay(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
        gpuChecks.scheduleWithFixedDelay(this::recheckGpus, every, every, TimeUnit.MILLISECONDS);
        log.info("worker {} on {}: started with {} GPU(s)", settings.workerId(), settings.host(), pool.total());
    }

    /**
     * Registers this worker's meters (GPUs by state, experiments running, broker connection, phase
     * timings), tagged with its id, in {@code registry}; call once, before or after {@link #start()}.
     */
    public WorkerMeters bindMetrics(MeterRegistry registry) {
        WorkerMeters meters = WorkerMeters.register(registry, settings.workerId(), pool, claims::running, connections);
        claims.recordWith(meters);
        return meters;
    }

    /** Fault testing: every result is published twice from now on. */
    public void duplicateResults() {
        log.warn("worker {}: chaos mode, every result is published twice", settings.workerId());
        publisher.duplicateResults(true);
    }

    public String workerId() {
        return settings.workerId();
    }

    public GpuPool pool() {
        return pool;
    }

    public int running() {
        return claims.running();
    }

    /** False once the claim loop has died of an error: this worker takes no more jobs. */
    public boolean claiming() {
        return claims.isAlive();
    }

    /** Heartbeats stop when the claim loop has died, so that the coordinator moves this worker's work. */
    private void heartbeat() {
        if (claims.isAlive()) {
            sendHeartbeat();
        }
    }

    private void sendHeartbeat() {
        try {
            publisher.sendHeartbeat(new HeartbeatMessage(Schema.VERSION, settings.workerId(), settings.host(),
                    pool.total(), pool.free(), pool.quarantined(), claims.running(), clock.millis(), startedAtMs,
                    claims.heldAttempts()));
        } catch (RuntimeException e) {
            log.warn("worker {}: heartbeat not sent ({}); next in {}", settings.workerId(), e.getMessage(),
                    settings.heartbeatInterval());
        }
    }

    /** Returns to service the GPUs that came back clean or that other processes let go of. */
    private void recheckGpus() {
        try {
            List<Integer> recovered = pool.recoverQuarantined();
            recovered.forEach(gpu -> log.info("worker {}: GPU {} is clean again and back in service",
                    settings.workerId(), gpu));
            List<Integer> freed = pool.recheckBusy();
            freed.forEach(gpu -> log.info("worker {}: GPU {} is no longer used by another process",
                    settings.workerId(), gpu));
            if (!recovered.isEmpty() || !freed.isEmpty()) {
                claims.gpusFreed();
            }
        } catch (RuntimeException e) {
            log.warn("worker {}: could not re-check quarantined or busy GPUs ({})", settings.workerId(),
                    e.getMessage());
        }
    }

    /**
     * Takes no new job from now on; what runs goes on until {@link #close}. Where several workers stop
     * together, stopping all their claiming first keeps one from taking the experiment another just
     * gave back.
     */
    public void stopClaiming() {
        claims.stopClaiming();
    }

    @Override
    public void close() {
        heartbeats.shutdownNow();
        gpuChecks.shutdownNow();
        control.close();
        claims.close();
        log.info("worker {}: stopped", settings.workerId());
    }
}
