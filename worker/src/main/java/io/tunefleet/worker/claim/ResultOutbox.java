package io.tunefleet.worker.claim;

import io.tunefleet.common.message.JobMessage;
import io.tunefleet.common.message.ResultMessage;
import io.tunefleet.common.message.WorkerMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends results on one thread, each retried until the broker confirms it: a result must not be lost
 * because the broker blinked. Results that finish while a batch waits for its confirms go out
 * together in the next, so a burst of short experiments costs one wait for the broker, not one each.
 */
final class ResultOutbox implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ResultOutbox.class);
    private static final long FIRST_BACKOFF_MS = 200;
    private static final long MAX_BACKOFF_MS = 5_000;
    /** How often an idle outbox looks whether it was closed. */
    private static final long IDLE_CHECK_MS = 1_000;
    /** The longest a close waits for the last sends: a back-off, then one confirm timeout. */
    private static final long CLOSE_WAIT_MS = 20_000;

    private final WorkerPublisher publisher;
    private final BlockingQueue<ResultMessage> queue = new LinkedBlockingQueue<>();
    /** The attempts whose result was handed in and is not confirmed yet; see {@link #unconfirmed}. */
    private final Set<String> unconfirmed = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile boolean closed;

    ResultOutbox(WorkerPublisher publisher, String workerId) {
        this.publisher = publisher;
        this.thread = new Thread(this::loop, "results-" + workerId);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues a result; it is sent as soon as the batch before it is confirmed. */
    void send(ResultMessage result) {
        unconfirmed.add(key(result));
        queue.add(result);
    }

    /** The attempts ({@link JobMessage#attemptKey}) whose result is queued or awaits its confirm. */
    Set<String> unconfirmed() {
        return Set.copyOf(unconfirmed);
    }

    private static String key(ResultMessage result) {
        return JobMessage.attemptKey(result.experimentId(), result.attempt());
    }

    private void loop() {
        List<ResultMessage> batch = new ArrayList<>();
        long backoff = FIRST_BACKOFF_MS;
        try {
            while (true) {
                if (batch.isEmpty()) {
                    ResultMessage next = queue.poll(IDLE_CHECK_MS, TimeUnit.MILLISECONDS);
                    if (next == null) {
                        if (closed) {
                            break; // everything queued before the close went out
                        }
                        continue;
                    }
                    batch.add(next);
                }
                queue.drainTo(batch);
                List<ResultMessage> failed = sendAll(batch);
                batch.clear();
                if (failed.isEmpty()) {
                    backoff = FIRST_BACKOFF_MS;
                    continue;
                }
                batch.addAll(failed);
                if (closed) {
                    break; // the last try after the close failed too
                }
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        queue.drainTo(batch);
        if (!batch.isEmpty()) {
            log.warn("{} result(s) not sent before the worker stopped; the coordinator re-queues their experiments "
                    + "when their lease lapses", batch.size());
        }
    }

    /** Returns the results the broker did not confirm. */
    private List<ResultMessage> sendAll(List<ResultMessage> batch) {
        Map<WorkerMessage, String> failed = publisher.sendAllConfirmed(batch);
        for (ResultMessage m : batch) {
            if (!failed.containsKey(m)) {
                unconfirmed.remove(key(m));
                log.info("task {} experiment {}: attempt {} {}", m.taskId(), m.experimentId(), m.attempt(), m.outcome());
            }
        }
        if (!failed.isEmpty()) {
            log.warn("{} result(s) not confirmed ({}); retrying", failed.size(), failed.values().iterator().next());
        }
        return batch.stream().filter(failed::containsKey).toList();
    }

    /**
     * Sends what is queued, then stops; a send that fails after the close is not retried (the
     * coordinator's lease covers what it carried). Waits for that, but not for ever.
     */
    @Override
    public void close() {
        closed = true;
        try {
            thread.join(CLOSE_WAIT_MS);
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(1_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
