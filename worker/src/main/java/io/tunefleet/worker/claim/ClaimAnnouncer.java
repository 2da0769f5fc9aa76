package io.tunefleet.worker.claim;

import io.tunefleet.common.message.ClaimMessage;
import io.tunefleet.common.message.WorkerMessage;
import io.tunefleet.worker.concurrent.Timers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces the claims of runs still going a moment ({@link #after}) after their jobs were taken,
 * the claims of one claim pass in one confirmed message, and acks their jobs once confirmed: from
 * then on the coordinator's lease, not the broker, tracks those runs. A run that ends sooner sends
 * its claim with its result, so that a burst of short runs costs the broker, the worker and the
 * coordinator one message each, not two; the run never waits for its claim either way. A claim the
 * broker did not confirm is tried again; its job stays held meanwhile.
 */
final class ClaimAnnouncer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClaimAnnouncer.class);

    private final WorkerPublisher publisher;
    private final String workerId;
    private final String host;
    private final Duration after;
    /** One thread: an announcement waits for its confirm, and the next for the one before. */
    private final ScheduledExecutorService timer = Timers.daemon("claim-announcer");

    ClaimAnnouncer(WorkerPublisher publisher, String workerId, String host, Duration after) {
        this.publisher = publisher;
        this.workerId = workerId;
        this.host = host;
        this.after = after;
    }

    /** Announces the claims of these jobs after {@link #after}, those whose runs have not ended by then. */
    void held(List<HeldJob> jobs) {
        schedule(jobs);
    }

    private void schedule(List<HeldJob> jobs) {
        try {
            timer.schedule(() -> announce(jobs), after.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            // The worker is stopping: each run's result carries its claim.
        }
    }

    private void announce(List<HeldJob> jobs) {
        List<HeldJob> due = new ArrayList<>(jobs.size());
        List<ClaimMessage> claims = new ArrayList<>(jobs.size());
        for (HeldJob job : jobs) {
            ClaimMessage claim = job.claimToAnnounce(workerId, host);
            if (claim != null) {
                due.add(job);
                claims.add(claim);
            }
        }
        if (claims.isEmpty()) {
            return;
        }
        Map<WorkerMessage, String> refused = publisher.sendAllConfirmed(claims);
        List<HeldJob> again = new ArrayList<>();
        for (int i = 0; i < claims.size(); i++) {
            if (refused.containsKey(claims.get(i))) {
                again.add(due.get(i));
            } else {
                due.get(i).announced();
            }
        }
        if (!again.isEmpty()) {
            log.warn("worker {}: {} claim(s) not confirmed ({}); their runs go on, their jobs stay held, and the "
                    + "claims are announced again in {}, or sent with their results", workerId, again.size(),
                    refused.values().iterator().next(), after);
            schedule(again);
        }
    }

    /** Announces nothing more: the runs still going send their claims with their results. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(publisher.confirmTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
