package io.tunefleet.coordinator.task;

import io.tunefleet.common.experiment.ExperimentState;
import io.tunefleet.common.experiment.TaskStatus;
import io.tunefleet.common.scoring.Metrics;
import io.tunefleet.common.task.Objective;
import io.tunefleet.common.task.TaskSpec;
import io.tunefleet.common.task.TaskSpecParser;
import io.tunefleet.common.message.ControlMessage;
import io.tunefleet.coordinator.dispatch.ControlPublisher;
import io.tunefleet.coordinator.dispatch.Dispatcher;
import io.tunefleet.coordinator.store.ExperimentRecord;
import io.tunefleet.coordinator.store.ExperimentStore;
import io.tunefleet.coordinator.store.StoreWriter;
import io.tunefleet.coordinator.store.TaskRecord;
import io.tunefleet.coordinator.store.TaskStore;
import io.tunefleet.coordinator.strategy.ParetoFront;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/** Submitting, cancelling and reading tasks. */
@Service
public class TaskService {

    private static final Logger log = LoggerFactory.getLogger(TaskService.class);

    private final TaskStore tasks;
    private final ExperimentStore experiments;
    private final StoreWriter writer;
    private final Dispatcher dispatcher;
    private final ControlPublisher control;

    TaskService(TaskStore tasks, ExperimentStore experiments, StoreWriter writer, Dispatcher dispatcher,
                ControlPublisher control) {
        this.control = control;
        this.tasks = tasks;
        this.experiments = experiments;
        this.writer = writer;
        this.dispatcher = dispatcher;
    }

    /**
     * Validates and stores a task, then starts dispatching it.
     *
     * @throws io.tunefleet.common.task.InvalidTaskException with every problem; nothing is stored
     */
    public TaskRecord submit(String json) {
        TaskSpec spec = TaskSpecParser.parse(json);
        TaskRecord task = tasks.insert(spec);
        log.info("task {}: submitted '{}' ({}, {}, window {}, up to {} experiments)", task.id(), task.name(),
                task.strategy(), task.objective(), task.maxParallel(), task.maxIterations());
        dispatcher.submitted(task.id(), spec);
        return task;
    }

    /** Cancels a task that has not ended; empty when there is no such task. */
    public Optional<CancelOutcome> cancel(long id) {
        Optional<TaskRecord> task = tasks.find(id);
        if (task.isEmpty()) {
            return Optional.empty();
        }
        CancelOutcome outcome = dispatcher.onDispatcherThread(() -> {
            CancelOutcome done = writer.write(() -> {
                for (TaskStatus from : List.of(TaskStatus.PENDING, TaskStatus.RUNNING)) {
                    if (tasks.transition(id, from, TaskStatus.CANCELLED, "cancelled by user")) {
                        return new CancelOutcome(true, experiments.cancelInFlight(id));
                    }
                }
                return new CancelOutcome(false, 0);
            });
            dispatcher.forget(id);
            return done;
        });
        if (outcome.cancelled()) {
            control.send(ControlMessage.cancelTask(id, "task " + id + " cancelled by user"));
            log.info("task {}: cancelled; {} experiment(s) in flight marked CANCELLED; workers told to stop them", id, outcome.experiments());
        }
        return Optional.of(outcome);
    }

    public List<TaskRecord> list() {
        return tasks.list();
    }

    public Optional<TaskRecord> find(long id) {
        return tasks.find(id);
    }

    public Map<ExperimentState, Integer> counts(long id) {
        return experiments.countByState(id);
    }

    public List<ExperimentRecord> experiments(long id, int offset, int limit) {
        return experiments.page(id, offset, limit);
    }

    public Optional<ExperimentRecord> best(TaskRecord task) {
        boolean higher = Objective.fromWireName(task.objective()).map(Objective::higherIsBetter).orElse(false);
        return experiments.best(task.id(), higher);
    }

    /** Why {@code best} is the best: its value, how many it beat, and the runner-up. */
    public String whyBest(TaskRecord task, ExperimentRecord best) {
        Objective objective = Objective.fromWireName(task.objective()).orElseThrow();
        List<ExperimentRecord> ranked = experiments.ranked(task.id(), objective.higherIsBetter(), 2);
        int scored = experiments.countScored(task.id());
        ExperimentRecord second = ranked.size() > 1 ? ranked.get(1) : null;
        boolean penalized = penalized(best) || second != null && penalized(second);
        String rankedBy = penalized ? "score (" + objective.metric() + " after SLO penalties)" : objective.metric();
        String why = (objective.higherIsBetter() ? "highest " : "lowest ") + rankedBy + " ("
                + value(objective, best) + ") among " + scored + " succeeded experiment(s)";
        if (second != null) {
            double gap = Math.abs(best.objectiveValue() - second.objectiveValue())
                    / Math.max(Math.abs(second.objectiveValue()), 1e-12) * 100;
            why += String.format("; runner-up #%d at %s, %.1f %% behind", second.seq(), value(objective, second), gap);
        }
        return why;
    }

    private static boolean penalized(ExperimentRecord e) {
        Double penalty = e.measured(Metrics.SLO_PENALTY);
        return penalty != null && penalty > 1;
    }

    /** The value an experiment ranks by, and how its soft SLO penalty made it from the bare metric. */
    private static String value(Objective objective, ExperimentRecord e) {
        Double bare = e.measured(objective.metric());
        if (!penalized(e) || bare == null) {
            return String.valueOf(e.objectiveValue());
        }
        return e.objectiveValue() + " (" + objective.metric() + " " + bare
                + (objective.higherIsBetter() ? " ÷ " : " × ") + "SLO penalty " + e.measured(Metrics.SLO_PENALTY) + ")";
    }

    /**
     * Succeeded experiments no other one beats on both output tokens/s per GPU and {@code latencyMetric}.
     * Every succeeded experiment meets the task's hard SLO bounds: the levels that broke one were left
     * out of its figures, and one whose every level broke one failed as INVALID_CONFIG.
     */
    public List<ParetoFront.Point<ExperimentRecord>> pareto(long taskId, String latencyMetric) {
        List<ParetoFront.Point<ExperimentRecord>> points = experiments.inState(taskId, ExperimentState.SUCCEEDED)
                .stream()
                .filter(e -> e.metrics() != null)
                .map(e -> new ParetoFront.Point<>(e,
                        e.metrics().getOrDefault("output_tokens_per_s_per_gpu", Double.NaN),
                        e.metrics().getOrDefault(latencyMetric, Double.NaN), true))
                .toList();
        return ParetoFront.of(points);
    }

    /** @param cancelled false when the task had already ended */
    public record CancelOutcome(boolean cancelled, int experiments) {
    }
}
