package io.tunefleet.worker.claim;

import io.tunefleet.common.message.JobMessage;
import io.tunefleet.common.message.ResultMessage;
import io.tunefleet.common.message.Schema;
import io.tunefleet.common.experiment.FailureClass;
import io.tunefleet.worker.gpu.GpuPool;
import io.tunefleet.worker.gpu.GpuReservation;
import io.tunefleet.worker.runtime.ExperimentRuntime;
import io.tunefleet.worker.runtime.RunResult;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * Reserve, then claim. For each GPU count, largest first, the loop reserves that many GPUs, and only
 * then asks {@code jobs.gpus.N} for a job; an empty queue gives the GPUs back. A claimed job runs
 * on its own thread and its GPUs are released however it ends.
 */
public final class ClaimLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClaimLoop.class);

    private final GpuPool pool;
    private final JobSource jobs;
    private final WorkerPublisher publisher;
    private final ExperimentRuntime runtime;
    private final String workerId;
    private final Duration pollInterval;
    private final Clock clock;
    private final ExecutorService experiments = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "experiment");
        t.setDaemon(true);
        return t;
    });
    private final Object changed = new Object();
    private final AtomicInteger running = new AtomicInteger();
    private volatile boolean stopped;
    private Thread thread;

    public ClaimLoop(GpuPool pool, RabbitTemplate template, WorkerPublisher publisher, ExperimentRuntime runtime,
                     String workerId, String host, Duration pollInterval, Clock clock) {
        this.pool = pool;
        this.jobs = new JobSource(template, publisher, workerId, host, clock);
        this.publisher = publisher;
        this.runtime = runtime;
        this.workerId = workerId;
        this.pollInterval = pollInterval;
        this.clock = clock;
    }

    public void start() {
        jobs.declareQueues(pool.total());
        thread = new Thread(this::loop, "claim-loop-" + workerId);
        thread.setDaemon(true);
        thread.start();
        log.info("worker {}: claiming jobs for up to {} GPUs", workerId, pool.total());
    }

    /** Experiments running now. */
    public int running() {
        return running.get();
    }

    private void loop() {
        while (!stopped) {
            boolean claimed = false;
            try {
                claimed = claimOne();
            } catch (RuntimeException e) {
                log.warn("worker {}: claim pass failed ({}); trying again in {}", workerId, e.getMessage(),
                        pollInterval);
            }
            if (!claimed) {
                waitForChange();
            }
        }
    }

    /** One pass over the GPU counts, largest first; true when a job was claimed. */
    private boolean claimOne() {
        for (int gpus = pool.total(); gpus >= 1; gpus--) {
            if (stopped || pool.free() < gpus) {
                continue;
            }
            Optional<GpuReservation> reservation = pool.tryReserve(gpus, workerId);
            if (reservation.isEmpty()) {
                continue;
            }
            Optional<JobMessage> job;
            try {
                job = jobs.take(reservation.get());
            } catch (RuntimeException e) {
                reservation.get().release();
                throw e;
            }
            if (job.isEmpty()) {
                reservation.get().release();
                continue;
            }
            running.incrementAndGet();
            experiments.execute(() -> execute(job.get(), reservation.get()));
            return true;
        }
        return false;
    }

    private void execute(JobMessage job, GpuReservation reservation) {
        long started = clock.millis();
        RunResult result;
        try {
            log.info("task {} experiment {}: attempt {} starting on GPUs {}", job.taskId(), job.experimentId(),
                    job.attempt(), reservation.indices());
            result = runtime.run(job, reservation.indices());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result = RunResult.failed(FailureClass.INFRASTRUCTURE, "worker " + workerId + " stopped during the run");
        } catch (RuntimeException e) {
            log.error("task {} experiment {}: runtime failed unexpectedly", job.taskId(), job.experimentId(), e);
            result = RunResult.failed(FailureClass.INFRASTRUCTURE, "runtime error: " + e);
        } finally {
            reservation.release();
            running.decrementAndGet();
            wake();
        }
        ResultMessage message = new ResultMessage(Schema.VERSION, workerId, job.taskId(), job.experimentId(),
                job.attempt(), result.outcome(), result.failureClass(), result.error(), result.metrics(),
                reservation.indices(), started, clock.millis());
        sendResult(message);
    }

    /** Retries until the broker confirms: a result must not be lost because the broker blinked. */
    private void sendResult(ResultMessage message) {
        long backoff = 200;
        while (!stopped) {
            try {
                publisher.sendConfirmed(message);
                log.info("task {} experiment {}: attempt {} {}", message.taskId(), message.experimentId(),
                        message.attempt(), message.outcome());
                return;
            } catch (RuntimeException e) {
                log.warn("task {} experiment {}: result not confirmed ({}); retrying in {} ms", message.taskId(),
                        message.experimentId(), e.getMessage(), backoff);
                sleepQuietly(backoff);
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
    }

    private void waitForChange() {
        synchronized (changed) {
            try {
                changed.wait(pollInterval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopped = true;
            }
        }
    }

    private void wake() {
        synchronized (changed) {
            changed.notifyAll();
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stopped = true;
        wake();
        experiments.shutdownNow();
        try {
            if (thread != null) {
                thread.join(5_000);
            }
            experiments.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
