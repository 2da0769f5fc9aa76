package io.tunefleet.coordinator.dispatch;

import io.tunefleet.common.experiment.ExperimentState;
import io.tunefleet.common.message.ClaimMessage;
import io.tunefleet.common.message.ControlMessage;
import io.tunefleet.common.message.HeartbeatMessage;
import io.tunefleet.common.message.MessageCodec;
import io.tunefleet.common.message.ResultMessage;
import io.tunefleet.common.message.Topology;
import io.tunefleet.common.message.UndecodableMessageException;
import io.tunefleet.common.message.WorkerMessage;
import io.tunefleet.common.task.Objective;
import io.tunefleet.common.task.TaskSpec;
import io.tunefleet.coordinator.fleet.FleetView;
import io.tunefleet.coordinator.store.ExperimentRecord;
import io.tunefleet.coordinator.store.ExperimentStore;
import io.tunefleet.coordinator.store.StoreWriter;
import io.tunefleet.coordinator.store.TaskStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tunefleet.coordinator.metrics.Buckets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;

/**
 * Consumes claims and results. The container acks a message only after this method returns, that
 * is after the commit; an unreadable message is moved to the dead-letter queue once, never looped.
 */
@Component
class WorkerMessageListener {

    private static final Logger log = LoggerFactory.getLogger(WorkerMessageListener.class);

    private final ExperimentStore experiments;
    private final TaskStore tasks;
    private final StoreWriter writer;
    private final Dispatcher dispatcher;
    private final FleetView fleet;
    private final MeterRegistry meters;
    private final ControlPublisher control;
    private final DeadLetters deadLetters;
    private final TaskSpecs specs;
    private final Map<Long, Objective> objectives = new ConcurrentHashMap<>();

    WorkerMessageListener(ExperimentStore experiments, TaskStore tasks, StoreWriter writer, Dispatcher dispatcher,
                          FleetView fleet, MeterRegistry meters, ControlPublisher control, DeadLetters deadLetters,
                          TaskSpecs specs) {
        this.experiments = experiments;
        this.tasks = tasks;
        this.writer = writer;
        this.dispatcher = dispatcher;
        this.fleet = fleet;
        this.meters = meters;
        this.control = control;
        this.deadLetters = deadLetters;
        this.specs = specs;
    }

    @RabbitListener(queues = Topology.RESULTS_QUEUE, concurrency = "1")
    void onWorkerMessage(Message message) {
        WorkerMessage decoded = decode(message, Topology.RESULTS_QUEUE);
        if (decoded == null) {
            return;
        }
        if (decoded instanceof ClaimMessage claim) {
            onClaim(claim);
        } else if (decoded instanceof ResultMessage result) {
            onResult(result);
        } else if (decoded instanceof HeartbeatMessage heartbeat) {
            fleet.heard(heartbeat);
        }
    }

    @RabbitListener(queues = Topology.HEARTBEATS_QUEUE, concurrency = "1")
    void onHeartbeat(Message message) {
        if (decode(message, Topology.HEARTBEATS_QUEUE) instanceof HeartbeatMessage heartbeat) {
            fleet.heard(heartbeat);
        }
    }

    private void onClaim(ClaimMessage claim) {
        if (writer.write(() -> experiments.markRunning(claim))) {
            recordQueueWait(claim);
            log.debug("task {} experiment {}: attempt {} running on {} GPUs {}", claim.taskId(), claim.experimentId(),
                    claim.attempt(), claim.workerId(), claim.gpuIndices());
        } else {
            log.info("task {} experiment {}: claim of attempt {} by {} is stale; the worker is told to stop it",
                    claim.taskId(), claim.experimentId(), claim.attempt(), claim.workerId());
            control.send(ControlMessage.abortAttempt(claim.taskId(), claim.experimentId(), claim.attempt(),
                    claim.workerId(), "the coordinator no longer expects this attempt"));
        }
    }

    private void onResult(ResultMessage result) {
        if (retried(result)) {
            countResult("retried");
            return;
        }
        Objective objective = objectiveOf(result.taskId());
        Double value = result.metrics() == null || objective == null ? null : result.metrics().get(objective.metric());
        boolean committed = writer.write(() -> experiments.commitResult(result, value));
        if (!committed) {
            countResult("stale");
            log.info("task {} experiment {}: result of attempt {} from {} is a duplicate or stale; ignored",
                    result.taskId(), result.experimentId(), result.attempt(), result.workerId());
            return;
        }
        Counter.builder("tunefleet.experiments.finished")
                .description("Experiment attempts whose result was committed, by outcome and failure class")
                .tag("status", result.outcome().name())
                .tag("failure_class", result.failureClass() == null ? "none" : result.failureClass().name())
                .register(meters).increment();
        countResult("committed");
        if (result.failureClass() != null) {
            log.info("task {} experiment {}: attempt {} {} on {} ({}: {})", result.taskId(), result.experimentId(),
                    result.attempt(), result.outcome(), result.workerId(), result.failureClass(), result.error());
        }
        Map<String, Object> parameters = experiments.find(result.experimentId()).map(ExperimentRecord::parameters)
                .orElse(Map.of());
        dispatcher.observed(result.taskId(), parameters, value, result.failureClass());
    }

    /** Metrics only: how long the experiment's job waited between being queued and being claimed. */
    private void recordQueueWait(ClaimMessage claim) {
        experiments.find(claim.experimentId()).map(ExperimentRecord::queuedAt).ifPresent(queuedAt ->
                Timer.builder("tunefleet.experiments.queue.wait")
                        .description("Time from an experiment attempt's job being queued to a worker claiming it, "
                                + "by the GPUs it needs")
                        .tag("gpus", Integer.toString(claim.gpuIndices().size()))
                        .serviceLevelObjectives(Buckets.DURATIONS)
                        .register(meters)
                        .record(Duration.ofMillis(Math.max(0, claim.claimedAtMs() - queuedAt))));
    }

    /** Metrics only: what became of a result message (committed, retried as a new attempt, stale). */
    private void countResult(String disposition) {
        Counter.builder("tunefleet.results.handled")
                .description("Result messages handled by the coordinator: committed, retried (a retryable failure "
                        + "re-queued as a new attempt) or stale (duplicate or superseded; ignored)")
                .tag("disposition", disposition)
                .register(meters).increment();
    }

    /** A retryable failure within max_retries becomes a new attempt instead of a final result. */
    private boolean retried(ResultMessage result) {
        if (result.outcome() != ResultMessage.Outcome.FAILED || result.failureClass() == null
                || !result.failureClass().retryable()) {
            return false;
        }
        ExperimentRecord current = experiments.find(result.experimentId()).orElse(null);
        if (current == null || current.attempt() != result.attempt() || current.state() != ExperimentState.RUNNING
                || !result.workerId().equals(current.workerId())) {
            return false;
        }
        TaskSpec spec = specs.of(result.taskId());
        if (current.attempt() > spec.optimization().maxRetries()) {
            return false;
        }
        return dispatcher.retryOrFail(spec, current, "FAILED",
                result.failureClass() + " on " + result.workerId() + ": " + result.error());
    }

    private Objective objectiveOf(long taskId) {
        return objectives.computeIfAbsent(taskId, id -> tasks.find(id)
                .flatMap(t -> Objective.fromWireName(t.objective())).orElse(null));
    }

    /** The message, or null when it cannot be read and was moved to the dead-letter queue. */
    private WorkerMessage decode(Message message, String queue) {
        try {
            return MessageCodec.decodeWorkerMessage(message.getBody());
        } catch (UndecodableMessageException e) {
            log.warn("a message on {} cannot be read and goes to {}: {}", queue, Topology.DEAD_LETTER_QUEUE,
                    e.getMessage());
            deadLetters.park(message, queue, e.getMessage());
            return null;
        }
    }
}
