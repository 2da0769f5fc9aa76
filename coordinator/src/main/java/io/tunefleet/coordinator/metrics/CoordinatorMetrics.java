package io.tunefleet.coordinator.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.tunefleet.common.experiment.ExperimentState;
import io.tunefleet.common.experiment.TaskStatus;
import io.tunefleet.common.message.Topology;
import io.tunefleet.common.task.Objective;
import io.tunefleet.coordinator.fleet.FleetView;
import io.tunefleet.coordinator.store.ExperimentStore;
import io.tunefleet.coordinator.store.TaskRecord;
import io.tunefleet.coordinator.store.TaskStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.QueueInformation;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionListener;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The coordinator's gauges that are read from the database, the broker and the fleet view. They are
 * refreshed every {@code tunefleet.metrics.refresh} on a thread of their own, so a scrape never waits
 * on SQLite or RabbitMQ. Tags stay bounded: experiment states, GPU counts, and task names of at most
 * {@code tunefleet.metrics.task-gauges} tasks; never an id.
 */
@Component
class CoordinatorMetrics implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(CoordinatorMetrics.class);
    /** Job queues polled for their depth: jobs.gpus.1 to jobs.gpus.8, where they exist. */
    static final int MAX_GPUS_POLLED = 8;
    private static final List<ExperimentState> IN_FLIGHT =
            List.of(ExperimentState.PENDING, ExperimentState.QUEUED, ExperimentState.RUNNING);

    private final TaskStore tasks;
    private final ExperimentStore experiments;
    private final FleetView fleet;
    private final AmqpAdmin admin;
    private final ConnectionFactory connections;
    private final MetricsProperties properties;
    private final Clock clock;
    private final MultiGauge inFlight;
    private final MultiGauge progress;
    private final MultiGauge best;
    private final MultiGauge jobsWaiting;
    private final MultiGauge workers;
    /** 1 connected, 0 not, -1 not known yet. */
    private final AtomicInteger brokerConnected = new AtomicInteger(-1);
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "metrics-refresh");
        t.setDaemon(true);
        return t;
    });

    CoordinatorMetrics(TaskStore tasks, ExperimentStore experiments, FleetView fleet, AmqpAdmin admin,
                       ConnectionFactory connections, MetricsProperties properties, Clock clock, MeterRegistry meters) {
        this.tasks = tasks;
        this.experiments = experiments;
        this.fleet = fleet;
        this.admin = admin;
        this.connections = connections;
        this.properties = properties;
        this.clock = clock;
        inFlight = MultiGauge.builder("tunefleet.experiments.in.flight")
                .description("Experiments of running tasks not finished yet, by state (PENDING, QUEUED, RUNNING); "
                        + "per task: GET /api/tasks/{id}")
                .register(meters);
        progress = MultiGauge.builder("tunefleet.task.progress")
                .description("Share of a task's max_iterations that has finished (0 to 1), for the running and "
                        + "most recently finished tasks, tagged by task name")
                .baseUnit("ratio").register(meters);
        best = MultiGauge.builder("tunefleet.task.best.objective")
                .description("Objective metric, as measured, of the best experiment so far (ranked by its score, "
                        + "the metric after soft SLO penalties) of a running or recently finished task, tagged by "
                        + "task name and objective; absent until an experiment succeeded")
                .register(meters);
        jobsWaiting = MultiGauge.builder("tunefleet.jobs.waiting")
                .description("Jobs waiting in jobs.gpus.N as the broker reports them, tagged by GPU count N")
                .register(meters);
        workers = MultiGauge.builder("tunefleet.workers")
                .description("Workers heard from in heartbeats: live (within the worker timeout) or silent")
                .register(meters);
        Gauge.builder("tunefleet.broker.connected", brokerConnected, v -> Math.max(v.get(), 0))
                .description("1 while the coordinator's connection to RabbitMQ is open, else 0")
                .register(meters);
        connections.addConnectionListener(new ConnectionListener() {
            @Override
            public void onCreate(Connection connection) {
                brokerConnected.set(1);
            }

            @Override
            public void onClose(Connection connection) {
                brokerConnected.set(0);
            }

            @Override
            public void onShutDown(com.rabbitmq.client.ShutdownSignalException signal) {
                brokerConnected.set(0);
            }

            @Override
            public void onFailed(Exception exception) {
                brokerConnected.set(0);
            }
        });
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        long every = properties.refresh().toMillis();
        refresher.scheduleWithFixedDelay(this::refresh, 0, every, TimeUnit.MILLISECONDS);
    }

    void refresh() {
        try {
            refreshTasks();
            refreshWorkers();
            refreshBroker();
        } catch (RuntimeException e) {
            log.warn("metrics: refreshing the gauges failed ({}); trying again in {}", e.getMessage(),
                    properties.refresh());
        }
    }

    private void refreshTasks() {
        Map<ExperimentState, Integer> flying = new EnumMap<>(ExperimentState.class);
        IN_FLIGHT.forEach(s -> flying.put(s, 0));
        List<TaskRecord> running = tasks.withStatus(TaskStatus.RUNNING);
        List<MultiGauge.Row<?>> progressRows = new ArrayList<>();
        List<MultiGauge.Row<?>> bestRows = new ArrayList<>();
        Map<String, Boolean> named = new LinkedHashMap<>();
        for (TaskRecord task : gaugedTasks(running)) {
            if (named.putIfAbsent(task.name(), true) != null) {
                continue; // the most recent task of a name wins
            }
            Map<ExperimentState, Integer> counts = experiments.countByState(task.id());
            int done = counts.entrySet().stream().filter(e -> e.getKey().isTerminal())
                    .mapToInt(Map.Entry::getValue).sum();
            double ratio = task.status().isTerminal() ? 1.0
                    : Math.min(1.0, done / (double) Math.max(1, task.maxIterations()));
            progressRows.add(MultiGauge.Row.of(Tags.of("task", task.name()), ratio));
            Objective objective = Objective.fromWireName(task.objective()).orElse(null);
            if (objective != null) {
                experiments.best(task.id(), objective.higherIsBetter()).ifPresent(b -> bestRows.add(
                        MultiGauge.Row.of(Tags.of("task", task.name(), "objective", objective.wireName()),
                                b.objectiveMeasured(objective.metric()))));
            }
        }
        for (TaskRecord task : running) {
            Map<ExperimentState, Integer> counts = experiments.countByState(task.id());
            IN_FLIGHT.forEach(s -> flying.merge(s, counts.getOrDefault(s, 0), Integer::sum));
        }
        inFlight.register(IN_FLIGHT.stream()
                .map(s -> MultiGauge.Row.of(Tags.of("state", s.name()), flying.get(s)))
                .map(r -> (MultiGauge.Row<?>) r).toList(), true);
        progress.register(progressRows, true);
        best.register(bestRows, true);
    }

    /** The running tasks, newest first, then those finished within finished-for; at most task-gauges. */
    private List<TaskRecord> gaugedTasks(List<TaskRecord> running) {
        long cutoff = clock.millis() - properties.finishedFor().toMillis();
        List<TaskRecord> chosen = new ArrayList<>(running);
        chosen.sort(Comparator.comparingLong(TaskRecord::id).reversed());
        if (chosen.size() < properties.taskGauges()) {
            tasks.list().stream()
                    .filter(t -> t.status().isTerminal() && t.finishedAt() != null && t.finishedAt() >= cutoff)
                    .sorted(Comparator.comparingLong(TaskRecord::finishedAt).reversed())
                    .forEach(chosen::add);
        }
        return chosen.subList(0, Math.min(chosen.size(), properties.taskGauges()));
    }

    private void refreshWorkers() {
        int live = fleet.live().size();
        int silent = fleet.all().size() - live;
        workers.register(List.of(MultiGauge.Row.of(Tags.of("state", "live"), live),
                MultiGauge.Row.of(Tags.of("state", "silent"), silent)), true);
    }

    /** Probes the connection where it is not known to be open, then reads the job queues' depths. */
    private void refreshBroker() {
        if (brokerConnected.get() != 1) {
            try (Connection connection = connections.createConnection()) {
                brokerConnected.set(connection.isOpen() ? 1 : 0);
            } catch (RuntimeException e) {
                brokerConnected.set(0);
            }
        }
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        if (brokerConnected.get() == 1) {
            for (int gpus = 1; gpus <= MAX_GPUS_POLLED; gpus++) {
                QueueInformation info = admin.getQueueInfo(Topology.jobQueue(gpus));
                if (info != null) {
                    rows.add(MultiGauge.Row.of(Tags.of("gpus", Integer.toString(gpus)), info.getMessageCount()));
                }
            }
        }
        jobsWaiting.register(rows, true);
    }

    @Override
    public void destroy() {
        refresher.shutdownNow();
    }
}
