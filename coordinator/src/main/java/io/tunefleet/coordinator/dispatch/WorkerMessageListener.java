package io.tunefleet.coordinator.dispatch;

import io.tunefleet.common.experiment.ExperimentState;
import io.tunefleet.common.message.BatchMessage;
import io.tunefleet.common.message.ClaimMessage;
import io.tunefleet.common.message.ControlMessage;
import io.tunefleet.common.message.HeartbeatMessage;
import io.tunefleet.common.message.MessageCodec;
import io.tunefleet.common.message.ResultMessage;
import io.tunefleet.common.message.Topology;
import io.tunefleet.common.message.UndecodableMessageException;
import io.tunefleet.common.message.WorkerMessage;
import io.tunefleet.common.scoring.Metrics;
import io.tunefleet.common.task.InvalidTaskException;
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
import java.util.ArrayList;
import java.util.List;
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

    /**
     * A batch of claims, results and heartbeats, in the order the broker delivered them (a worker's
     * {@link BatchMessage} read as its messages in order). Claims and
     * results are committed in one transaction, in order (a claim and the result of the same attempt
     * can share a batch); a retryable failure first commits what came before it, then re-queues its
     * experiment on its own. The batch is acked only after this returns, that is after the commits.
     */
    @RabbitListener(queues = Topology.RESULTS_QUEUE, concurrency = "1", containerFactory = WorkerMessageBatches.FACTORY)
    void onWorkerMessages(List<Message> messages) {
        List<WorkerMessage> pending = new ArrayList<>();
        for (WorkerMessage decoded : unbatched(messages)) {
            if (decoded instanceof HeartbeatMessage heartbeat) {
                fleet.heard(heartbeat);
                continue;
            }
            fleet.sawAlive(decoded);
            if (decoded instanceof ResultMessage result && retryable(result)) {
                commit(pending);
                pending.clear();
                if (retried(result)) {
                    countResult("retried");
                } else {
                    commit(List.of(result));
                }
            } else {
                pending.add(decoded);
            }
        }
        commit(pending);
    }


    /** The readable messages in delivery order, each batch read as its messages one after the other. */
    private List<WorkerMessage> unbatched(List<Message> messages) {
        List<WorkerMessage> all = new ArrayList<>(messages.size());
        for (Message message : messages) {
            WorkerMessage decoded = decode(message, Topology.RESULTS_QUEUE);
            if (decoded instanceof BatchMessage batch) {
                all.addAll(batch.messages());
            } else if (decoded != null) {
                all.add(decoded);
            }
        }
        return all;
    }

    @RabbitListener(queues = Topology.HEARTBEATS_QUEUE, concurrency = "1")
    void onHeartbeat(Message message) {
        if (decode(message, Topology.HEARTBEATS_QUEUE) instanceof HeartbeatMessage heartbeat) {
            fleet.heard(heartbeat);
        }
    }

    /**
     * One transaction for the claims and results, then what follows each: metrics, logs, the
     * dispatcher. Incomplete messages were refused when read, so a failure here is the database's
     * (busy, full, unreachable): it is thrown, and the batch, not yet acked, is delivered again;
     * what was committed already reads as a duplicate then.
     */
    private void commit(List<WorkerMessage> batch) {
        if (batch.isEmpty()) {
            return;
        }
        Committed done = writer.write(() -> apply(batch));
        for (Applied a : done.applied()) {
            if (a.message() instanceof ClaimMessage claim) {
                afterClaim(claim, a, done.queuedAt().get(claim.experimentId()));
            } else if (a.message() instanceof ResultMessage result) {
                afterResult(result, a, done.parameters().getOrDefault(result.experimentId(), Map.of()));
            }
        }
    }

    /**
     * Applies the claims and results in order, then reads in one query each what follows needs: when
     * the claimed jobs were queued, the parameters of the results' experiments. Runs in the writer's
     * transaction.
     */
    private Committed apply(List<WorkerMessage> batch) {
        List<Applied> done = new ArrayList<>(batch.size());
        List<Long> claimed = new ArrayList<>();
        List<Long> finished = new ArrayList<>();
        for (WorkerMessage m : batch) {
            if (m instanceof ClaimMessage claim) {
                boolean moved = experiments.markRunning(claim);
                boolean duplicate = !moved && experiments.alreadyClaimed(claim);
                done.add(new Applied(m, moved, duplicate, null));
                if (moved) {
                    claimed.add(claim.experimentId());
                }
            } else if (m instanceof ResultMessage result) {
                Double value = objectiveValue(result);
                boolean moved = experiments.commitResult(result, value);
                done.add(new Applied(m, moved, false, value));
                if (moved) {
                    finished.add(result.experimentId());
                }
            }
        }
        return new Committed(done, experiments.queuedAt(claimed), experiments.parameters(finished));
    }

    /** @param queuedAt when the claimed job was queued; null when unknown */
    private void afterClaim(ClaimMessage claim, Applied a, Long queuedAt) {
        if (a.duplicate()) {
            log.debug("task {} experiment {}: claim of attempt {} by {} delivered again; already running",
                    claim.taskId(), claim.experimentId(), claim.attempt(), claim.workerId());
            return;
        }
        if (a.moved()) {
            recordQueueWait(claim, queuedAt);
            log.debug("task {} experiment {}: attempt {} running on {} GPUs {}", claim.taskId(), claim.experimentId(),
                    claim.attempt(), claim.workerId(), claim.gpuIndices());
        } else {
            log.info("task {} experiment {}: claim of attempt {} by {} is stale; the worker is told to stop it",
                    claim.taskId(), claim.experimentId(), claim.attempt(), claim.workerId());
            control.send(ControlMessage.abortAttempt(claim.taskId(), claim.experimentId(), claim.attempt(),
                    claim.workerId(), "the coordinator no longer expects this attempt"));
        }
    }

    /** @param parameters the experiment's parameters, for the strategy */
    private void afterResult(ResultMessage result, Applied a, Map<String, Object> parameters) {
        if (!a.moved()) {
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
        dispatcher.observed(result.taskId(), parameters, a.objectiveValue(), result.failureClass());
    }

    /**
     * What the task ranks the result by: its {@code score}, the objective's metric made worse by the
     * soft SLO penalties it ran into, so that a configuration breaking a soft bound loses to one that
     * keeps it; the bare metric from a worker that sends no score.
     */
    private Double objectiveValue(ResultMessage result) {
        Objective objective = objectiveOf(result.taskId());
        if (result.metrics() == null || objective == null) {
            return null;
        }
        Double score = result.metrics().get(Metrics.SCORE);
        return score != null ? score : result.metrics().get(objective.metric());
    }

    /**
     * A claim or result after its commit: whether it moved the experiment, and whether it was a claim
     * committed before (delivered again: its attempt goes on).
     */
    private record Applied(WorkerMessage message, boolean moved, boolean duplicate, Double objectiveValue) {
    }

    /**
     * A batch's claims and results after their commit, with what was read for what follows: when the
     * jobs of the claims that moved were queued, and the parameters of the experiments whose results
     * moved them, by experiment id.
     */
    private record Committed(List<Applied> applied, Map<Long, Long> queuedAt,
                             Map<Long, Map<String, Object>> parameters) {
    }

    /** Metrics only: how long the experiment's job waited between being queued and being claimed. */
    private void recordQueueWait(ClaimMessage claim, Long queuedAt) {
        java.util.Optional.ofNullable(queuedAt).ifPresent(at ->
                Timer.builder("tunefleet.experiments.queue.wait")
                        .description("Time from an experiment attempt's job being queued to a worker claiming it, "
                                + "by the GPUs it needs")
                        .tag("gpus", Integer.toString(claim.gpuIndices().size()))
                        .serviceLevelObjectives(Buckets.DURATIONS)
                        .register(meters)
                        .record(Duration.ofMillis(Math.max(0, claim.claimedAtMs() - at))));
    }

    /** Metrics only: what became of a result message (committed, retried as a new attempt, stale). */
    private void countResult(String disposition) {
        Counter.builder("tunefleet.results.handled")
                .description("Result messages handled by the coordinator: committed, retried (a retryable failure "
                        + "re-queued as a new attempt) or stale (duplicate or superseded; ignored)")
                .tag("disposition", disposition)
                .register(meters).increment();
    }

    private static boolean retryable(ResultMessage result) {
        return result.outcome() == ResultMessage.Outcome.FAILED && result.failureClass() != null
                && result.failureClass().retryable();
    }

    /**
     * A retryable failure within max_retries (or one that does not count against them) becomes a new
     * attempt instead of a final result. Call only for a result that is {@link #retryable}.
     */
    private boolean retried(ResultMessage result) {
        ExperimentRecord current = experiments.find(result.experimentId()).orElse(null);
        if (current == null || current.taskId() != result.taskId() || current.attempt() != result.attempt()
                || current.state() != ExperimentState.RUNNING || !result.workerId().equals(current.workerId())) {
            return false;
        }
        TaskSpec spec;
        try {
            spec = specs.of(result.taskId());
        } catch (InvalidTaskException e) {
            // Thrown from here the batch would never be acked, and every task's results would wait behind it.
            log.error("task {}: its stored task file no longer parses ({}); experiment {}'s failure is final",
                    result.taskId(), e.getMessage(), result.experimentId());
            return false;
        }
        return dispatcher.retryIfAllowed(spec, current, "FAILED", result.failureClass(),
                result.failureClass() + " on " + result.workerId() + ": " + result.error());
    }

    private Objective objectiveOf(long taskId) {
        return objectives.computeIfAbsent(taskId, id -> tasks.find(id)
                .flatMap(t -> Objective.fromWireName(t.objective())).orElse(null));
    }

    /**
     * The message, or null when it cannot be read: it is moved to the dead-letter queue, or dropped
     * when that queue will not take it (an operator capped it with {@code reject-publish}, say).
     * Handed back instead, it would come again with every batch, and the batch would never commit.
     */
    private WorkerMessage decode(Message message, String queue) {
        try {
            return MessageCodec.decodeWorkerMessage(message.getBody());
        } catch (UndecodableMessageException e) {
            log.warn("a message on {} cannot be read and goes to {}: {}", queue, Topology.DEAD_LETTER_QUEUE,
                    e.getMessage());
            try {
                deadLetters.park(message, queue, e.getMessage());
            } catch (RuntimeException notParked) {
                log.error("a message on {} that cannot be read is dropped: {} did not take it ({}); it could not be "
                        + "read because: {}", queue, Topology.DEAD_LETTER_QUEUE, notParked.getMessage(), e.getMessage());
            }
            return null;
        }
    }
}
