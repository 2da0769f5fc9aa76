package io.tunefleet.worker.claim;

import io.tunefleet.common.experiment.FailureClass;
import io.tunefleet.common.message.JobMessage;
import io.tunefleet.common.message.ResultMessage;
import io.tunefleet.common.message.Schema;
import io.tunefleet.worker.concurrent.DaemonThreads;
import io.tunefleet.worker.concurrent.Timers;
import io.tunefleet.worker.gpu.GpuPool;
import io.tunefleet.worker.gpu.GpuReservation;
import io.tunefleet.worker.gpu.ReleaseOutcome;
import io.tunefleet.worker.gpu.TelemetrySampler;
import io.tunefleet.worker.metrics.WorkerMeters;
import io.tunefleet.worker.runtime.EngineInterruptedException;
import io.tunefleet.worker.runtime.ExperimentRuntime;
import io.tunefleet.worker.runtime.RunResult;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.AbstractConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * Reserve, then claim. For each GPU count, in the order {@link QueueHints} gives (the whole node,
 * then the queue with the oldest job), the loop reserves that many GPUs, and only then asks
 * {@code jobs.gpus.N} for a job; an empty queue gives the GPUs back. A claimed job runs
 * on its own thread, is stopped at its timeout or when the coordinator cancels it, and its GPUs are
 * freed only once they are clean, however it ends.
 */
public final class ClaimLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClaimLoop.class);
    /** How often the reserved GPUs' utilization, memory and power are sampled during a run. */
    static final Duration TELEMETRY_EVERY = Duration.ofSeconds(1);
    /** The share of a node's GPUs that must be free for it to drain for a whole-node job. */
    static final double DRAIN_FROM = 0.625;
    /** How long, in mean run times, the oldest job must have waited before a node drains for it. */
    static final double DRAIN_AFTER_RUNS = 2;
    /** How long a worker refused the drain token waits before asking again (each ask is a connection). */
    static final Duration DRAIN_TOKEN_RETRY = Duration.ofSeconds(1);
    /**
     * The longest an idle claim loop waits before it looks again, however long the poll interval:
     * the drain rule depends on how long the oldest job has waited, which grows without any event.
     * Such a look asks the broker nothing unless a queue is due or the rule says drain.
     */
    static final Duration TICK = Duration.ofMillis(100);
    /** How long a cancelled task's leftover jobs are dropped on sight. */
    static final Duration REMEMBER_CANCELLED = Duration.ofHours(1);
    /** How long an abort for an attempt not started here yet is kept for when it starts. */
    static final Duration REMEMBER_ABORTED = Duration.ofMinutes(10);

    private final GpuPool pool;
    private final JobSource jobs;
    private final ResultOutbox results;
    private final WorkerPublisher publisher;
    private final ExperimentRuntime runtime;
    private final String workerId;
    private final Duration pollInterval;
    private final Duration cleanGrace;
    /** How long a close waits for the stopped runs to report, before it closes the outbox. */
    private final Duration stopWait;
    private final Clock clock;
    private final ExecutorService experiments = Executors.newCachedThreadPool(DaemonThreads.named("experiment"));
    /** Takes and gives back the drain token, so that the claim loop never waits for the broker to do it. */
    private final ExecutorService drainTokenCalls =
            Executors.newSingleThreadExecutor(DaemonThreads.named("drain-token"));
    /** One timeout per run, cancelled when the run ends; forgotten then, not an hour later. */
    private final ScheduledExecutorService timeouts = Timers.daemon("experiment-timeouts");
    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    private final Map<Long, Long> cancelledTasks = new ConcurrentHashMap<>();
    /**
     * Aborts of attempts not in {@link #runs} when they came, by attempt key, with when they lapse:
     * the coordinator can refuse a claim before this worker has the claim's confirm.
     */
    private final Map<String, Long> abortedEarly = new ConcurrentHashMap<>();
    private final Object changed = new Object();
    private final QueueHints hints;
    private final DrainToken drainToken;
    /** When every queue was last made worth asking again, in ms of {@link #clock}. */
    private long lastFullPass;
    private volatile boolean stopped;
    /** Set by {@link #close}: a run interrupted without a {@link Stop} was cut short by the worker's stop. */
    private volatile boolean closing;
    /** Mean run time of this worker's experiments, ms; 0 before the first. */
    private volatile double meanRunMs;
    /** Metrics only; records nothing until {@link #recordWith} binds a registry. */
    private volatile WorkerMeters meters = WorkerMeters.NONE;
    private Thread thread;

    /**
     * @param cleanGrace how long GPUs may take to come back clean before they are quarantined
     * @param stopWait   how long a close waits for the stopped runs to report: longer than the engines'
     *                   stop grace, which their runtimes give them after TERM
     */
    public ClaimLoop(GpuPool pool, RabbitTemplate template, WorkerPublisher publisher, ExperimentRuntime runtime,
                     String workerId, String host, Duration pollInterval, Duration cleanGrace, Duration stopWait,
                     List<String> brokerAddresses, Clock clock) {
        this.pool = pool;
        this.hints = new QueueHints(pool.total());
        this.results = new ResultOutbox(publisher, workerId);
        this.jobs = new JobSource(template, publisher, workerId, host, clock, this::isCancelled, hints, results::send);
        this.drainToken = new DrainToken(template.getConnectionFactory() instanceof AbstractConnectionFactory f
                ? f.getRabbitConnectionFactory() : null, brokerAddresses, pool.total(), clock, DRAIN_TOKEN_RETRY,
                drainTokenCalls, this::wake);
        this.publisher = publisher;
        this.runtime = runtime;
        this.workerId = workerId;
        this.pollInterval = pollInterval;
        this.cleanGrace = cleanGrace;
        this.stopWait = stopWait;
        this.clock = clock;
    }

    public void start() {
        jobs.declareQueues(pool.total());
        thread = new Thread(this::loop, "claim-loop-" + workerId);
        thread.setDaemon(true);
        thread.start();
        log.info("worker {}: claiming jobs for up to {} GPUs", workerId, pool.total());
    }

    /** Records phase timings (dispatch, start, run, cleanup) in these meters from now on. */
    public void recordWith(WorkerMeters meters) {
        this.meters = java.util.Objects.requireNonNull(meters, "meters");
    }

    /** The coordinator said it reads batch messages: claims and results go out in batches from now on. */
    public void coordinatorReadsBatches() {
        publisher.batching(true);
    }

    /** Experiments running now. */
    public int running() {
        return runs.size();
    }

    /**
     * The attempts this worker holds ({@link JobMessage#attemptKey}): running, or their result not
     * yet confirmed by the broker. Heartbeats carry them, so that the coordinator notices an attempt
     * it has running here that no longer runs anywhere.
     */
    public List<String> heldAttempts() {
        Set<String> held = new TreeSet<>(runs.keySet());
        held.addAll(results.unconfirmed());
        return List.copyOf(held);
    }

    /** Stops every running experiment of the task and drops its jobs still waiting in queues. */
    public void cancelTask(long taskId, String reason) {
        cancelledTasks.put(taskId, clock.millis() + REMEMBER_CANCELLED.toMillis());
        runs.values().stream().filter(r -> r.job.taskId() == taskId).forEach(r -> r.stop(Stop.CANCELLED, reason));
    }

    /**
     * Stops one attempt the coordinator no longer expects. One not running yet (its claim still
     * awaiting its confirm) is remembered, and stopped as it starts.
     */
    public void abort(long experimentId, int attempt, String reason) {
        String key = JobMessage.attemptKey(experimentId, attempt);
        long now = clock.millis();
        abortedEarly.values().removeIf(until -> until < now);
        // Noted before the look-up, as a run is put in runs before it checks the note: one of them sees the other.
        abortedEarly.put(key, now + REMEMBER_ABORTED.toMillis());
        Run run = runs.get(key);
        if (run != null) {
            abortedEarly.remove(key);
            run.stop(Stop.ABORTED, reason);
        }
    }

    /** Stops a run that a cancel or an abort reached before it was in {@link #runs}. */
    private void stopIfToldBefore(Run run) {
        JobMessage job = run.job;
        if (abortedEarly.remove(job.attemptKey()) != null) {
            run.stop(Stop.ABORTED, "aborted by the coordinator before it started");
        } else if (isCancelled(job.taskId())) {
            run.stop(Stop.CANCELLED, "task " + job.taskId() + " cancelled before it started");
        }
    }

    private boolean isCancelled(long taskId) {
        Long until = cancelledTasks.get(taskId);
        if (until != null && until < clock.millis()) {
            cancelledTasks.remove(taskId);
            return false;
        }
        return until != null;
    }

    /** False once the claim loop has died of an error; the worker then stops heartbeating. */
    public boolean isAlive() {
        return thread != null && thread.isAlive() || stopped;
    }

    private void loop() {
        try {
            while (!stopped) {
                try {
                    if (!claimOne()) {
                        waitForChange(Math.min(TICK.toMillis(), pollInterval.toMillis()));
                    }
                } catch (RuntimeException e) {
                    log.warn("worker {}: claim pass failed ({}); trying again in {}", workerId, e.getMessage(),
                            pollInterval);
                    waitForChange(pollInterval.toMillis());
                }
            }
        } catch (Error e) {
            log.error("worker {}: the claim loop died; heartbeats stop so the coordinator re-queues this "
                    + "worker's experiments elsewhere", workerId, e);
            throw e;
        } finally {
            drainToken.close(); // another node may drain now
        }
    }

    /**
     * One pass over the GPU counts in {@link QueueHints#askingOrder}, or only the whole node's while
     * draining for it, taking from the first queue that has jobs as many as the free GPUs fit; true
     * when a job was claimed.
     */
    private boolean claimOne() {
        long now = clock.millis();
        if (now - lastFullPass >= pollInterval.toMillis()) {
            lastFullPass = now;
            hints.pollDue();
        }
        boolean drain = drainingForWholeNode();
        for (int gpus : hints.askingOrder()) {
            if (drain && gpus < pool.total()) {
                break;
            }
            if (stopped || pool.free() < gpus || !hints.worthAsking(gpus)) {
                continue;
            }
            // Each job gets its GPUs before it is taken; a batch of claims is confirmed together.
            List<JobSource.Claimed> claimed = jobs.take(gpus,
                    () -> stopped || pool.free() < gpus ? Optional.empty() : pool.tryReserve(gpus, workerId),
                    pool.total() / gpus);
            if (claimed.isEmpty()) {
                continue;
            }
            long claimedAt = clock.millis();
            for (JobSource.Claimed c : claimed) {
                meters.dispatched(Duration.ofMillis(Math.max(0, claimedAt - c.reservation().reservedAt().toEpochMilli())));
                Run run = new Run(c.job(), c.reservation());
                if (runs.putIfAbsent(c.job().attemptKey(), run) != null) {
                    // The coordinator published this attempt twice (a publish confirm that came too late)
                    // and both copies came here: the claim of the second is a duplicate to it, so only
                    // this worker can keep the attempt from running twice.
                    log.warn("task {} experiment {}: attempt {} already runs here; its second job is dropped",
                            c.job().taskId(), c.job().experimentId(), c.job().attempt());
                    c.reservation().release();
                    continue;
                }
                try {
                    experiments.execute(() -> {
                        meters.started(Duration.ofMillis(Math.max(0, clock.millis() - claimedAt)));
                        execute(run);
                    });
                } catch (RejectedExecutionException closed) {
                    // The worker closed while this pass confirmed its claims: report, do not run.
                    runs.remove(c.job().attemptKey(), run);
                    sendResult(run, RunResult.failed(FailureClass.WORKER_STOPPED, "worker " + workerId
                            + " stopped before the run started"), clock.millis());
                    c.reservation().release();
                }
            }
            return true;
        }
        return false;
    }

    /**
     * Whether this worker leaves its free GPUs free for a whole-node experiment instead of starting
     * smaller ones. Backfilling freed GPUs keeps GPUs busy but can starve a job that needs a whole
     * node, since no node ever empties; so once the oldest waiting job needs the whole node and has
     * waited {@link #DRAIN_AFTER_RUNS} times as long as this worker's experiments take on average, a
     * node with at least {@link #DRAIN_FROM} of its GPUs free stops backfilling until it can take that
     * job (the broker is asked that such a job still waits). Busier nodes go on backfilling. Measured
     * on the fleet benchmark: draining at once cost 2-4 % of efficiency; after 2 mean run times it
     * kept whole-node waits under 3 times their duration at no cost. Of the nodes that qualify, only
     * the one holding the {@link DrainToken} drains: each worker decides alone, and with lower
     * thresholds several nodes had drained for the same job at once (mixed efficiency 0.885).
     */
    private boolean drainingForWholeNode() {
        // The rule first: it is arithmetic, and it holds rarely. Then a quarantined GPU or one a foreign
        // process uses never comes free, so this node cannot empty; then the broker.
        boolean wanted = drains(pool.total(), pool.free(), hints.oldestGpus(), hints.oldestWaitMs(clock.millis()),
                meanRunMs) && pool.quarantined() == 0 && pool.foreignBusy() == 0 && jobs.waiting(pool.total());
        return drainToken.hold(wanted); // it logs each take and give-back
    }

    /**
     * The rule of {@link #drainingForWholeNode}, before asking the broker. Public for the fleet
     * benchmark's simulation of this policy.
     */
    public static boolean drains(int total, int free, int oldestJobGpus, long oldestWaitMs, double meanRunMs) {
        return total > 1 && oldestJobGpus == total && free < total && free >= DRAIN_FROM * total
                && meanRunMs > 0 && oldestWaitMs >= DRAIN_AFTER_RUNS * meanRunMs;
    }

    /** Folds one run's duration into {@link #meanRunMs}, an exponentially weighted mean. */
    private synchronized void ran(long ms) {
        meanRunMs = meanRunMs == 0 ? ms : 0.8 * meanRunMs + 0.2 * ms;
    }

    private void execute(Run run) {
        JobMessage job = run.job;
        run.thread = Thread.currentThread();
        var timeout = timeouts.schedule(() -> run.stop(Stop.TIMED_OUT, "stopped at timeout_per_iteration "
                + job.timeoutSeconds() + " s"), job.timeoutSeconds(), TimeUnit.SECONDS);
        long started = clock.millis();
        RunResult result;
        try {
            stopIfToldBefore(run);
            if (run.stop != null) {
                throw new InterruptedException();
            }
            log.info("task {} experiment {}: attempt {} starting on GPUs {}", job.taskId(), job.experimentId(),
                    job.attempt(), run.reservation.indices());
            try (TelemetrySampler telemetry = TelemetrySampler.start(pool, run.reservation.indices(), TELEMETRY_EVERY)) {
                result = runtime.run(job, run.reservation.indices());
                result = result.withMetrics(telemetry.stop());
            }
        } catch (InterruptedException e) {
            if (run.stop == Stop.TIMED_OUT) {
                result = RunResult.timedOut(run.reason);
            } else if (run.stop != null) {
                result = RunResult.failed(FailureClass.INFRASTRUCTURE, run.reason); // not sent: see below
            } else if (closing) {
                result = RunResult.failed(FailureClass.WORKER_STOPPED, "worker " + workerId + " stopped during the run");
            } else {
                result = RunResult.failed(FailureClass.INFRASTRUCTURE, "the run was interrupted");
            }
            // Stopped once its engine had started, the runtime names the engine's pids; before, there are none.
            if (e instanceof EngineInterruptedException stopped) {
                result = result.withEnginePids(stopped.enginePids());
            }
        } catch (RuntimeException | Error e) {
            // An Error too (a thread the benchmark could not start, say): the GPUs must still come back, checked
            // by their memory only, as a runtime that threw names no engine pids.
            log.error("task {} experiment {}: runtime failed unexpectedly", job.taskId(), job.experimentId(), e);
            result = RunResult.failed(FailureClass.INFRASTRUCTURE, "runtime error: " + e);
        } finally {
            timeout.cancel(false);
            synchronized (run) {
                run.thread = null;
            }
            // The interrupt that stopped the run must not also stop the clean-up and the result.
            Thread.interrupted();
        }
        long cleaning = clock.millis();
        meters.ran(Duration.ofMillis(Math.max(0, cleaning - started)));
        ran(Math.max(0, cleaning - started));
        boolean stopping = result.failureClass() == FailureClass.WORKER_STOPPED;
        if (stopping) {
            // The worker is closing: the result goes before the clean-up, which may take the GPUs'
            // clean grace, so that it is sent before the outbox closes.
            sendResult(run, result, started);
        }
        release(run, result.enginePids());
        meters.cleanedUp(Duration.ofMillis(Math.max(0, clock.millis() - cleaning)));
        runs.remove(job.attemptKey(), run);
        wake();
        if (!stopping) {
            sendResult(run, result, started);
        }
    }

    /** Sends the run's result, unless the coordinator stopped it (cancelled or aborted: it expects none). */
    private void sendResult(Run run, RunResult result, long started) {
        JobMessage job = run.job;
        if (run.stop == Stop.CANCELLED || run.stop == Stop.ABORTED) {
            log.info("task {} experiment {}: attempt {} stopped ({}); no result is sent", job.taskId(),
                    job.experimentId(), job.attempt(), run.reason);
            return;
        }
        results.send(new ResultMessage(Schema.VERSION, workerId, job.taskId(), job.experimentId(), job.attempt(),
                result.outcome(), result.failureClass(), result.error(), result.metrics(), run.reservation.indices(),
                started, clock.millis()));
    }

    /**
     * Frees the GPUs once nvidia-smi shows them clean: no process of the engine's left on them (its
     * pids, as the runtime reported them) and their memory back near its baseline. What stays dirty
     * past the grace is quarantined.
     */
    private void release(Run run, Set<Integer> enginePids) {
        try {
            ReleaseOutcome outcome = pool.releaseWhenClean(run.reservation, enginePids, cleanGrace);
            if (!outcome.clean()) {
                log.warn("task {} experiment {}: GPUs {} quarantined: {}", run.job.taskId(), run.job.experimentId(),
                        outcome.quarantined().keySet(), outcome.quarantined());
            }
        } catch (RuntimeException e) {
            log.warn("task {} experiment {}: could not check the GPUs are clean ({}); quarantining {}",
                    run.job.taskId(), run.job.experimentId(), e.getMessage(), run.reservation.indices());
            run.reservation.indices().forEach(i -> pool.quarantine(i, "clean check failed: " + e.getMessage()));
            run.reservation.release();
        }
    }

    private void waitForChange(long ms) {
        synchronized (changed) {
            try {
                changed.wait(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopped = true;
            }
        }
    }

    /**
     * New jobs were published for these GPU counts (any, when empty): run a claim pass now rather
     * than at the next poll.
     */
    public void jobsAvailable(List<Integer> gpuCounts, long oldestWaitMs) {
        hints.mayHaveJobs(gpuCounts, oldestWaitMs, clock.millis());
        wake();
    }

    /** GPUs came back into service outside a release (recovered, or no longer used by others): claim now. */
    public void gpusFreed() {
        hints.mayHaveJobsEverywhere();
        wake();
    }

    private void wake() {
        synchronized (changed) {
            changed.notifyAll();
        }
    }

    /** Takes no new job from now on (a pass under way ends with what it has reserved). */
    public void stopClaiming() {
        stopped = true;
        wake();
    }

    /**
     * Stops claiming, lets the pass under way start what it claimed, then stops the running
     * experiments: each reports {@link FailureClass#WORKER_STOPPED} (retried without using up
     * max_retries, and now rather than when the lease lapses), and the outbox makes a last try to
     * send those results. Claims a pass confirms after this are reported the same way, not run.
     */
    @Override
    public void close() {
        stopClaiming();
        closing = true;
        try {
            if (thread != null) {
                // A pass under way may wait the whole confirm timeout for its claims; what it claimed must
                // reach the executor before it shuts down, so that those runs report WORKER_STOPPED.
                thread.join(publisher.confirmTimeout().toMillis() + 5_000);
            }
            drainToken.close();
            drainTokenCalls.shutdown();
            experiments.shutdownNow();
            // Each stopped run sends its result as soon as its runtime has stopped the engine.
            if (!experiments.awaitTermination(stopWait.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("worker {}: {} run(s) not done after {} (an engine past its stop grace, or GPUs not clean "
                        + "yet); a run that has not reported is re-queued when this worker's lease lapses", workerId,
                        runs.size(), stopWait);
            }
            timeouts.shutdownNow(); // after the runs: each schedules its timeout as it starts
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        results.close();
    }

    /** Why a run was stopped from outside. */
    enum Stop {
        TIMED_OUT,
        CANCELLED,
        ABORTED
    }

    /** One running attempt. */
    private static final class Run {
        final JobMessage job;
        final GpuReservation reservation;
        volatile Thread thread;
        volatile Stop stop;
        volatile String reason;

        Run(JobMessage job, GpuReservation reservation) {
            this.job = job;
            this.reservation = reservation;
        }

        synchronized void stop(Stop why, String because) {
            if (stop != null) {
                return;
            }
            reason = because;
            stop = why;
            Thread t = thread;
            if (t != null) {
                t.interrupt();
            }
        }
    }
}
