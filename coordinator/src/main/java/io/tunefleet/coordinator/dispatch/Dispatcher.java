package io.tunefleet.coordinator.dispatch;

import static io.tunefleet.common.experiment.ExperimentState.*;

import io.tunefleet.common.experiment.ExperimentState;
import io.tunefleet.common.experiment.FailureClass;
import io.tunefleet.common.experiment.TaskStatus;
import io.tunefleet.common.message.ControlMessage;
import io.tunefleet.common.message.JobMessage;
import io.tunefleet.common.message.Schema;
import io.tunefleet.common.param.GpuRequirement;
import io.tunefleet.common.param.ParameterSet;
import io.tunefleet.common.task.StoppingSpec;
import io.tunefleet.common.task.TaskSpec;
import io.tunefleet.coordinator.config.CoordinatorProperties;
import io.tunefleet.coordinator.fleet.FleetView;
import io.tunefleet.coordinator.store.ExperimentRecord;
import io.tunefleet.coordinator.store.ExperimentStore;
import io.tunefleet.coordinator.store.StoreWriter;
import io.tunefleet.coordinator.store.TaskRecord;
import io.tunefleet.coordinator.store.TaskStore;
import io.tunefleet.coordinator.strategy.Outcome;
import io.tunefleet.coordinator.strategy.StoppingRules;
import io.tunefleet.coordinator.strategy.StrategyFactory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Keeps each running task's window full. All decisions run on one thread, so a task's window is
 * counted and filled without races; a slot frees only when a result is committed, and only then
 * does the strategy suggest again, having seen that result.
 */
@Component
public class Dispatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    /**
     * Retries of an experiment's attempts cut short by a stopped worker that do not use up
     * max_retries; past these they count like any failure, so that a configuration that takes its
     * worker down each time (evicted for the host memory it uses, say) cannot loop for ever.
     */
    static final int FREE_RETRIES = 3;
    /**
     * How long after its claim (by the worker's clock) a worker's heartbeats must list an attempt it
     * runs: the claim is confirmed a moment before the run is registered.
     */
    static final long HELD_AFTER_CLAIM_MS = 2_000;

    private final TaskStore tasks;
    private final ExperimentStore experiments;
    private final StoreWriter writer;
    private final JobPublisher publisher;
    private final ControlPublisher control;
    private final FleetView fleet;
    private final CoordinatorProperties properties;
    private final Clock clock;
    private final TaskSpecs specs;
    private final StrategyFactory strategies;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "dispatcher");
        t.setDaemon(true);
        return t;
    });
    /** Touched only on the dispatcher thread. */
    private final Map<Long, TaskRun> runs = new HashMap<>();
    /**
     * Dispatcher thread: by task, the running attempts ({@link JobMessage#attemptKey}) their worker's
     * heartbeats stopped listing, with when that was first seen (coordinator clock).
     */
    private final Map<Long, Map<String, Long>> unheldSince = new HashMap<>();
    /** Endings committed and not yet told to their strategies; see {@link #observed}. */
    private final Queue<Ending> endings = new ConcurrentLinkedQueue<>();
    /** Tasks with a dispatch pass already waiting on the dispatcher thread. */
    private final java.util.Set<Long> wakeRequested = java.util.concurrent.ConcurrentHashMap.newKeySet();

    Dispatcher(TaskStore tasks, ExperimentStore experiments, StoreWriter writer, JobPublisher publisher,
               ControlPublisher control, FleetView fleet, CoordinatorProperties properties, Clock clock, TaskSpecs specs,
               StrategyFactory strategies) {
        this.tasks = tasks;
        this.experiments = experiments;
        this.writer = writer;
        this.publisher = publisher;
        this.control = control;
        this.fleet = fleet;
        this.properties = properties;
        this.clock = clock;
        this.specs = specs;
        this.strategies = strategies;
    }

    /** Resumes every task that was running when the coordinator stopped, then checks all tasks on a tick. */
    @EventListener(ApplicationReadyEvent.class)
    public void start() {
        for (TaskRecord task : tasks.withStatus(TaskStatus.PENDING, TaskStatus.RUNNING)) {
            log.info("task {}: resuming '{}' ({})", task.id(), task.name(), task.status());
            wake(task.id());
        }
        long tick = properties.dispatchTick().toMillis();
        loop.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
    }

    /**
     * Asks the dispatcher to look at a task soon: it was submitted, or one of its slots freed. Requests
     * that arrive while one is already waiting are folded into it, so a burst of results costs one
     * pass, not one each.
     */
    public void wake(long taskId) {
        if (wakeRequested.add(taskId)) {
            loop.execute(() -> {
                wakeRequested.remove(taskId);
                guarded(taskId);
            });
        }
    }

    /** A task was just stored from {@code spec}: its passes use that spec rather than parse its file again. */
    public void submitted(long taskId, TaskSpec spec) {
        specs.remember(taskId, spec);
        wake(taskId);
    }

    /**
     * An experiment ended, by a worker's result or by the coordinator (timed out, given up,
     * unschedulable): the task's strategy learns of it (failures too) at the start of the next pass,
     * before it suggests again, and that pass refills the window. Call once the ending is committed.
     */
    public void observed(long taskId, Map<String, Object> parameters, Double objective, FailureClass failure) {
        endings.add(new Ending(taskId, ParameterSet.of(parameters), Outcome.of(objective, failure)));
        wake(taskId);
    }

    /**
     * Dispatcher thread: tells each strategy the endings noted since the last pass. A strategy built
     * after an ending was noted read it from the database already; telling it again changes nothing.
     */
    private void tellStrategies() {
        for (Ending e = endings.poll(); e != null; e = endings.poll()) {
            TaskRun run = runs.get(e.taskId());
            if (run != null) {
                run.strategy.observe(e.parameters(), e.outcome());
            }
        }
    }

    /** An experiment's ending, for its task's strategy. */
    private record Ending(long taskId, ParameterSet parameters, Outcome outcome) {
    }

    /**
     * Runs {@code work} on the dispatcher thread and waits for it, so that it never interleaves with
     * filling a window (a cancel must not race a suggestion of the same task).
     */
    public <T> T onDispatcherThread(java.util.concurrent.Callable<T> work) {
        try {
            return loop.submit(work).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Forgets a task that was cancelled; call on the dispatcher thread. */
    public void forget(long taskId) {
        runs.remove(taskId);
        unheldSince.remove(taskId);
    }

    /**
     * Checks every task that has not ended. A PENDING one too: its first pass moves it to RUNNING,
     * and should that pass fail (a store write that kept failing), nothing else would try it again.
     */
    private void tick() {
        List<TaskRecord> open;
        try {
            open = tasks.withStatus(TaskStatus.PENDING, TaskStatus.RUNNING);
        } catch (RuntimeException e) {
            // Thrown out of a scheduled task, it would end the ticks for good: no timeouts, no lost workers.
            log.error("reading the tasks to check failed ({}); trying again on the next tick", e.toString());
            return;
        }
        for (TaskRecord task : open) {
            try {
                failUnschedulable(task.id());
                checkRunning(task.id());
            } catch (RuntimeException e) {
                log.error("task {}: checking running experiments failed, will try again on the next tick", task.id(), e);
            }
            guarded(task.id());
        }
    }

    /**
     * The coordinator's lease on running work. An attempt with no result past its deadline times out,
     * once results have been consumed for a worker timeout (a result that waited out a broker outage
     * in its worker's outbox is not thrown away as stale).
     * One that runs nowhere any more is re-queued as a new attempt (or failed after max_retries): its
     * worker restarted since the claim, went silent for a worker timeout, or has left it out of its
     * heartbeats for that long. The broker's consumer timeout never decides this: workers ack jobs
     * as soon as the claim is confirmed.
     */
    private void checkRunning(long taskId) {
        TaskSpec spec = specs.of(taskId);
        long now = clock.millis();
        long deadline = spec.optimization().timeoutPerIteration().plus(properties.resultGrace()).toMillis();
        // After a (re)start or a broker outage, workers get one worker timeout to be heard from first,
        // and their results, held in their outboxes while the broker was away, that long to arrive:
        // until then neither silence nor a passed deadline ends an attempt.
        boolean fleetSettled = fleet.listenedLongEnough();
        Map<String, Long> unheld = unheldSince.computeIfAbsent(taskId, t -> new HashMap<>());
        Map<String, Long> stillUnheld = new HashMap<>();
        for (ExperimentRecord e : experiments.inState(taskId, RUNNING)) {
            long unheldFor = unheldFor(e, unheld, stillUnheld, now);
            if (fleetSettled && e.startedAt() != null && now - e.startedAt() > deadline) {
                String why = "no result within timeout_per_iteration " + spec.optimization().timeoutPerIteration()
                        .toSeconds() + " s + grace " + properties.resultGrace().toSeconds() + " s from " + e.workerId();
                if (writer.write(() -> experiments.markTimedOut(e.id(), e.attempt(), why))) {
                    log.warn("task {} experiment {}: attempt {} TIMED_OUT: {}", taskId, e.id(), e.attempt(), why);
                    control.send(ControlMessage.abortAttempt(taskId, e.id(), e.attempt(), e.workerId(), why));
                    observed(taskId, e.parameters(), null, FailureClass.STARTUP_TIMEOUT);
                }
            } else if (restartedSinceClaim(e)) {
                retryOrFail(spec, e, "LOST", FailureClass.INFRASTRUCTURE, "worker " + e.workerId()
                        + " restarted after claiming it: the run ended with the earlier process");
            } else if (fleetSettled && e.workerId() != null && !fleet.isLive(e.workerId())) {
                retryOrFail(spec, e, "LOST", FailureClass.INFRASTRUCTURE, "worker " + e.workerId()
                        + " lost: no heartbeat for " + properties.workerTimeout().toSeconds() + " s");
            } else if (fleetSettled && unheldFor >= properties.workerTimeout().toMillis()) {
                retryOrFail(spec, e, "LOST", FailureClass.INFRASTRUCTURE, "worker " + e.workerId()
                        + " no longer holds it: not in its heartbeats for " + unheldFor / 1000 + " s");
            }
        }
        unheld.clear();
        unheld.putAll(stillUnheld);
    }

    /**
     * How long the worker's heartbeats have left out this running attempt (0 while they list it, or
     * do not say): as when its claim's confirm timed out and the worker put the job back while the
     * claim went through, or its result was lost. Given a worker timeout, so that a result sent
     * before the heartbeat that left the attempt out is committed first.
     */
    private long unheldFor(ExperimentRecord e, Map<String, Long> unheld, Map<String, Long> stillUnheld, long now) {
        if (e.workerId() == null || e.startedAt() == null) {
            return 0;
        }
        String key = JobMessage.attemptKey(e.id(), e.attempt());
        boolean left = fleet.heldAttempts(e.workerId(), e.startedAt(), HELD_AFTER_CLAIM_MS)
                .map(held -> !held.contains(key)).orElse(false);
        if (!left) {
            return 0;
        }
        long since = unheld.getOrDefault(key, now);
        stillUnheld.put(key, since);
        return now - since;
    }

    /**
     * Whether the worker that claimed this attempt has restarted since (a process of its id that
     * started after the claim, both times by the worker's clock): a worker restarted within the worker
     * timeout is live again under the same id, but its earlier runs are gone and it sends no result.
     */
    private boolean restartedSinceClaim(ExperimentRecord e) {
        if (e.workerId() == null || e.startedAt() == null) {
            return false;
        }
        OptionalLong started = fleet.processStartedAt(e.workerId());
        return started.isPresent() && started.getAsLong() > e.startedAt();
    }

    /**
     * Where a failed attempt stands against max_retries, from one read of the experiment's attempts:
     * one that does not count against them (a stopped worker's) may run again while the experiment
     * has had fewer than {@link #FREE_RETRIES} such retries, any other while the counted attempts so
     * far are within max_retries.
     */
    private RetryBudget budget(TaskSpec spec, ExperimentRecord e, FailureClass failure) {
        int notCounted = experiments.attemptsNotCounted(e.id());
        return new RetryBudget(!failure.countsAgainstRetries() && notCounted < FREE_RETRIES,
                e.attempt() - Math.min(FREE_RETRIES, notCounted), spec.optimization().maxRetries());
    }

    /**
     * @param free       this failure is retried without using up one of max_retries
     * @param counted    the attempts, this one included, that count against max_retries
     * @param maxRetries the task's
     */
    private record RetryBudget(boolean free, int counted, int maxRetries) {

        boolean allows() {
            return free || counted <= maxRetries;
        }
    }

    /**
     * Re-queues a failed attempt as a new one if its retry budget allows. False, with nothing
     * written, when it does not (the caller records the failure as final) or the attempt moved on
     * meanwhile.
     */
    boolean retryIfAllowed(TaskSpec spec, ExperimentRecord e, String outcome, FailureClass failure, String why) {
        RetryBudget budget = budget(spec, e, failure);
        return budget.allows() && requeue(budget, e, outcome, failure, why);
    }

    /** Re-queues the attempt the budget allows; false when it moved on meanwhile. */
    private boolean requeue(RetryBudget budget, ExperimentRecord e, String outcome, FailureClass failure,
                            String why) {
        if (!writer.write(() -> experiments.requeue(e.id(), e.attempt(), outcome, failure, why))) {
            return false;
        }
        log.warn("task {} experiment {}: {}; will be retried on another worker as attempt {} ({})",
                e.taskId(), e.id(), why, e.attempt() + 1, budget.free() ? "not counted against max_retries"
                        : "retry " + budget.counted() + " of max_retries " + budget.maxRetries());
        wake(e.taskId());
        return true;
    }

    /** Re-queues a failed attempt as a new one while its retry budget allows, else fails the experiment. */
    private void retryOrFail(TaskSpec spec, ExperimentRecord e, String outcome, FailureClass failure, String why) {
        RetryBudget budget = budget(spec, e, failure);
        if (budget.allows()) {
            requeue(budget, e, outcome, failure, why);
            return;
        }
        String final_ = why + "; gave up after " + e.attempt() + " attempt(s) (max_retries " + budget.maxRetries() + ")";
        if (writer.write(() -> experiments.markFailed(e.id(), e.attempt(), FailureClass.INFRASTRUCTURE, final_))) {
            log.warn("task {} experiment {}: FAILED: {}", e.taskId(), e.id(), final_);
            observed(e.taskId(), e.parameters(), null, FailureClass.INFRASTRUCTURE);
        }
    }

    private void guarded(long taskId) {
        try {
            dispatch(taskId);
        } catch (RuntimeException e) {
            log.error("task {}: dispatch failed, will try again on the next tick", taskId, e);
        }
    }

    private void dispatch(long taskId) {
        TaskRecord task = tasks.find(taskId).orElse(null);
        if (task == null || task.status().isTerminal()) {
            runs.remove(taskId);
            return;
        }
        TaskRun run = runs.computeIfAbsent(taskId, t -> load(task));
        if (task.status() == TaskStatus.PENDING
                && writer.write(() -> tasks.transition(taskId, TaskStatus.PENDING, TaskStatus.RUNNING, null))) {
            log.info("task {}: running, window {}, up to {} experiments", taskId, task.maxParallel(),
                    task.maxIterations());
        }
        ExperimentStore.Progress progress = experiments.progress(taskId);
        // After the progress is read: an ending it counts was noted before, unless its commit and
        // its note (microseconds apart) fell on either side of that read.
        tellStrategies();
        int inFlight = progress.inFlight();
        int suggested = progress.suggested();
        checkStoppingRules(run, inFlight);
        List<Suggestion> fresh = new ArrayList<>();
        while (run.stopReason == null && inFlight < task.maxParallel() && suggested < task.maxIterations()
                && run.searchEnded == null) {
            Optional<ParameterSet> next = run.strategy.suggest();
            if (next.isEmpty()) {
                run.searchEnded = run.strategy.ended().orElse(null);
                if (run.searchEnded != null) {
                    log.info("task {}: {} after {} experiments", taskId, run.searchEnded, suggested);
                } else {
                    log.debug("task {}: no configuration found within this pass's budget; the next goes on", taskId);
                }
                break;
            }
            fresh.add(new Suggestion(++suggested, next.get(), GpuRequirement.of(next.get())));
            inFlight++;
        }
        // One transaction stores the new suggestions and queues everything still PENDING (new ones,
        // re-queued attempts, or left over from a failed publish), so a claim can never find one PENDING.
        List<ExperimentRecord> toPublish;
        try {
            toPublish = writer.write(() -> {
                for (Suggestion n : fresh) {
                    experiments.insertPending(taskId, n.seq(), n.parameters(), n.gpus());
                }
                experiments.markAllQueued(taskId);
                return experiments.unpublished(taskId);
            });
        } catch (RuntimeException e) {
            // The strategy took these suggestions as made (a listed configuration passed, a point marked
            // seen or pending): rebuilt from the database on the next pass, it makes them again.
            runs.remove(taskId);
            throw e;
        }
        if (!toPublish.isEmpty() && publishAll(run, toPublish) > 0) {
            // Every queue holding jobs, oldest first: a worker asks them in that order, so the oldest
            // experiment that fits starts first, whatever its size.
            ExperimentStore.QueuedJobs queued = experiments.queuedJobs();
            control.send(ControlMessage.jobsAvailable(queued.gpuCountsOldestFirst(),
                    queued.oldestQueuedAt() == null ? 0 : Math.max(0, clock.millis() - queued.oldestQueuedAt())));
        }
        if (inFlight == 0 && (suggested >= task.maxIterations() || run.searchEnded != null || run.stopReason != null)) {
            finish(task, experiments.countByState(taskId), run.stopReason != null ? run.stopReason
                    : run.searchEnded != null ? run.searchEnded : "max_iterations reached");
        }
    }

    /** Patience, failure and GPU-hour budgets; once one fires, no new experiment is suggested. */
    private void checkStoppingRules(TaskRun run, int inFlight) {
        if (run.stopReason != null || run.spec.optimization().stopping().equals(StoppingSpec.none())) {
            return;
        }
        List<StoppingRules.Trial> trials = experiments.standings(run.taskId).stream()
                .map(e -> {
                    boolean done = e.state().isTerminal();
                    Double value = e.state() == SUCCEEDED ? e.objectiveValue() : null;
                    return new StoppingRules.Trial(done, value, done && value == null ? e.failureClass() : null,
                            e.gpus(), e.startedAt(), done ? e.finishedAt() : null, e.earlierAttemptsMs());
                })
                .toList();
        String reason = run.stopping.check(trials, clock.millis()).orElse(null);
        if (reason != null) {
            // Stored first: fired once, a rule holds even if a result still in flight would undo it.
            writer.run(() -> tasks.noteStopping(run.taskId, reason));
            run.stopReason = reason;
            log.info("task {}: stopping, {}; {} experiment(s) in flight finish first", run.taskId, run.stopReason,
                    inFlight);
        }
    }

    /**
     * Publishes the jobs of queued experiments without waiting between them, then waits for all the
     * confirms and records them in one transaction. A job not confirmed stays unpublished and goes
     * out again on the next tick. Returns how many were confirmed.
     */
    private int publishAll(TaskRun run, List<ExperimentRecord> queued) {
        TaskSpec spec = run.spec;
        List<JobMessage> jobs = queued.stream().map(e -> new JobMessage(Schema.VERSION, e.taskId(), e.id(), e.attempt(),
                e.gpus(), spec.baseRuntime(), spec.model().idOrPath(), spec.runtimeImageTag(),
                new TreeMap<>(e.parameters()), spec.benchmark(), spec.optimization().timeoutPerIteration().toSeconds(),
                spec.optimization().objective().wireName(), spec.slo(),
                spec.engine() == null ? null : spec.engine().command()))
                .toList();
        JobPublisher.Outcome outcome = publisher.publishAll(jobs);
        for (var failure : outcome.failures().entrySet()) {
            log.warn("task {} experiment {}: publish failed ({}); will be published again on the next tick",
                    failure.getKey().taskId(), failure.getKey().experimentId(), failure.getValue());
        }
        if (!outcome.confirmed().isEmpty()) {
            List<ExperimentStore.Attempt> confirmed = outcome.confirmed().stream()
                    .map(j -> new ExperimentStore.Attempt(j.experimentId(), j.attempt())).toList();
            writer.run(() -> experiments.markPublished(confirmed));
        }
        log.debug("task {}: published {} job(s), {} confirmed", run.taskId, jobs.size(), outcome.confirmed().size());
        return outcome.confirmed().size();
    }

    private record Suggestion(int seq, ParameterSet parameters, int gpus) {
    }

    /**
     * Fails queued experiments that need more GPUs than any live worker has, once they waited
     * unschedulable-after; only once heartbeats have been consumed for a worker timeout, so that after
     * a (re)start or a broker outage every live worker has been heard, not only the first to speak.
     */
    private void failUnschedulable(long taskId) {
        if (!fleet.listenedLongEnough()) {
            return;
        }
        OptionalInt largest = fleet.largestLiveWorker();
        if (largest.isEmpty()) {
            return;
        }
        long cutoff = clock.millis() - properties.unschedulableAfter().toMillis();
        for (ExperimentRecord e : experiments.inState(taskId, QUEUED)) {
            if (e.gpus() > largest.getAsInt() && e.queuedAt() != null && e.queuedAt() <= cutoff) {
                String why = "needs " + e.gpus() + " GPUs but the largest live worker has " + largest.getAsInt()
                        + "; no worker can run it";
                if (writer.write(() -> experiments.markUnschedulable(e.id(), e.attempt(), why))) {
                    log.warn("task {} experiment {}: unschedulable, {}; its slot goes to the next suggestion",
                            taskId, e.id(), why);
                    observed(taskId, e.parameters(), null, FailureClass.UNSCHEDULABLE);
                }
            }
        }
    }

    private void finish(TaskRecord task, Map<ExperimentState, Integer> counts, String reason) {
        boolean anySucceeded = counts.get(SUCCEEDED) > 0;
        TaskStatus outcome = anySucceeded ? TaskStatus.COMPLETED : TaskStatus.FAILED;
        String why = anySucceeded ? reason : reason + "; no experiment succeeded";
        if (writer.write(() -> tasks.transition(task.id(), TaskStatus.RUNNING, outcome, why))) {
            log.info("task {}: {} ({}); {}", task.id(), outcome, why, counts.entrySet().stream()
                    .filter(en -> en.getValue() > 0)
                    .map(en -> en.getKey() + "=" + en.getValue()).collect(Collectors.joining(", ")));
        }
        runs.remove(task.id());
        unheldSince.remove(task.id());
    }

    private TaskRun load(TaskRecord task) {
        long taskId = task.id();
        TaskSpec spec = specs.of(taskId);
        List<ExperimentRecord> all = experiments.byTask(taskId);
        Set<String> suggested = all.stream().map(ExperimentRecord::configKey).collect(Collectors.toSet());
        TaskRun run = new TaskRun(taskId, spec, strategies.create(spec, suggested));
        // A running task has a stop reason only once a stopping rule fired for it.
        run.stopReason = task.status() == TaskStatus.RUNNING ? task.stopReason() : null;
        for (ExperimentRecord e : all) {
            if (e.state().isTerminal()) {
                run.strategy.observe(ParameterSet.of(e.parameters()), Outcome.of(e.objectiveValue(), e.failureClass()));
            }
        }
        return run;
    }

    @Override
    public void close() {
        loop.shutdownNow();
    }
}
