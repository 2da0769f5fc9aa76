package io.tunefleet.worker.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.tunefleet.worker.gpu.GpuPool;
import io.tunefleet.worker.gpu.GpuStatus;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionListener;

/**
 * One worker's meters, every one tagged {@code worker} with the worker's id (bounded: one value per
 * worker process). The worker service registers them in its own registry; the standalone stack
 * registers its in-process workers' meters in the coordinator's, so one scrape shows the whole fleet.
 *
 * <ul>
 *   <li>{@code tunefleet.gpus{worker, state}}: GPUs by state (free, reserved, quarantined,
 *       foreign_busy); their sum is the worker's total</li>
 *   <li>{@code tunefleet.worker.experiments.running{worker}}</li>
 *   <li>{@code tunefleet.worker.broker.connected{worker}}: 1 while its AMQP connection is open</li>
 *   <li>{@code tunefleet.worker.phase{worker, phase}}: time an attempt spends in each phase on the
 *       worker: {@code dispatch} (GPUs reserved to job claimed), {@code start} (claimed to running),
 *       {@code run} (the runtime: deploy, warm-up and benchmark together), {@code cleanup} (until
 *       the GPUs are clean or quarantined)</li>
 * </ul>
 */
public final class WorkerMeters {

    /** Records nothing; for a claim loop that has not been bound to a registry. */
    public static final WorkerMeters NONE = new WorkerMeters(new CompositeMeterRegistry(), "none");

    /** Histogram bucket bounds (Prometheus {@code le}), the same as the coordinator's timers. */
    static final Duration[] BUCKETS = {
            Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2),
            Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(30), Duration.ofHours(1)};

    private final Timer dispatch;
    private final Timer start;
    private final Timer run;
    private final Timer cleanup;

    private WorkerMeters(MeterRegistry registry, String workerId) {
        dispatch = phase(registry, workerId, "dispatch");
        start = phase(registry, workerId, "start");
        run = phase(registry, workerId, "run");
        cleanup = phase(registry, workerId, "cleanup");
    }

    /** Registers the worker's gauges and timers; call once per worker. */
    public static WorkerMeters register(MeterRegistry registry, String workerId, GpuPool pool, IntSupplier running,
                                        ConnectionFactory connections) {
        for (GpuStatus.State state : GpuStatus.State.values()) {
            Gauge.builder("tunefleet.gpus", pool, p -> p.snapshot().stream().filter(s -> s.state() == state).count())
                    .description("GPUs of a worker by state: free, reserved (by an experiment), quarantined (not "
                            + "clean after an experiment) or foreign_busy (used outside tunefleet)")
                    .strongReference(true)
                    .tag("worker", workerId)
                    .tag("state", state.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
        Gauge.builder("tunefleet.worker.experiments.running", running, r -> r.getAsInt())
                .description("Experiment attempts running on a worker now")
                .strongReference(true)
                .tag("worker", workerId)
                .register(registry);
        AtomicInteger connected = new AtomicInteger();
        connections.addConnectionListener(new ConnectionListener() {
            @Override
            public void onCreate(Connection connection) {
                connected.set(1);
            }

            @Override
            public void onClose(Connection connection) {
                connected.set(0);
            }

            @Override
            public void onShutDown(com.rabbitmq.client.ShutdownSignalException signal) {
                connected.set(0);
            }

            @Override
            public void onFailed(Exception exception) {
                connected.set(0);
            }
        });
        Gauge.builder("tunefleet.worker.broker.connected", connected, AtomicInteger::get)
                .description("1 while a worker's connection to RabbitMQ is open, else 0")
                .strongReference(true)
                .tag("worker", workerId)
                .register(registry);
        return new WorkerMeters(registry, workerId);
    }

    private static Timer phase(MeterRegistry registry, String workerId, String phase) {
        return Timer.builder("tunefleet.worker.phase")
                .description("Time an experiment attempt spends in a phase on the worker: dispatch (GPUs reserved "
                        + "to job claimed), start (claimed to running), run (deploy, warm-up, benchmark), cleanup "
                        + "(until the GPUs are clean or quarantined)")
                .tag("worker", workerId)
                .tag("phase", phase)
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
    }

    /** GPUs reserved to job claimed (the claim confirmed and the job acked). */
    public void dispatched(Duration latency) {
        dispatch.record(latency);
    }

    /** Job claimed to the runtime starting it. */
    public void started(Duration latency) {
        start.record(latency);
    }

    /** The runtime's whole run. */
    public void ran(Duration duration) {
        run.record(duration);
    }

    /** The GPUs' clean release or quarantine. */
    public void cleanedUp(Duration duration) {
        cleanup.record(duration);
    }
}
