package io.tunefleet.coordinator.fleet;

import io.tunefleet.common.message.ClaimMessage;
import io.tunefleet.common.message.HeartbeatMessage;
import io.tunefleet.common.message.ResultMessage;
import io.tunefleet.common.message.Topology;
import io.tunefleet.common.message.WorkerMessage;
import io.tunefleet.coordinator.config.CoordinatorProperties;
import java.time.Clock;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.ConsumeOkEvent;
import org.springframework.amqp.rabbit.listener.ListenerContainerConsumerFailedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The workers the coordinator has heard from lately, from their heartbeats, claims and results; and
 * whether it has been listening long enough for silence to mean anything.
 */
@Component
public class FleetView {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(FleetView.class);

    private final Map<String, WorkerStatus> workers = new ConcurrentHashMap<>();
    /** When an old heartbeat of each worker was last warned about, coordinator clock. */
    private final Map<String, Long> oldHeartbeatWarned = new ConcurrentHashMap<>();
    /**
     * Since when heartbeats have been consumed without a break, from the coordinator's start;
     * {@link Long#MAX_VALUE} while the heartbeat consumer is down (the broker restarting, say):
     * heartbeats then wait in their queue, and a worker's silence says nothing about the worker.
     */
    private volatile long listeningSince;
    private final Clock clock;
    private final CoordinatorProperties properties;

    FleetView(Clock clock, CoordinatorProperties properties) {
        this.clock = clock;
        this.properties = properties;
        this.listeningSince = clock.millis(); // a coordinator just started has heard nobody yet
    }

    /**
     * Records a heartbeat. One sent longer ago than the worker timeout (it waited in the queue while
     * the coordinator was down) proves nothing about the worker now and is ignored.
     */
    public void heard(HeartbeatMessage heartbeat) {
        long now = clock.millis();
        long age = now - heartbeat.sentAtMs();
        if (age > properties.workerTimeout().toMillis()) {
            // Queued while this coordinator was away, or sent by a host whose clock is behind: say
            // which, at most once a minute per worker, since such a worker never counts as live.
            Long warned = oldHeartbeatWarned.get(heartbeat.workerId());
            if (warned == null || now - warned >= 60_000) {
                oldHeartbeatWarned.put(heartbeat.workerId(), now);
                log.warn("heartbeat of worker {} ignored: sent {} s ago by this coordinator's clock, more than the "
                        + "worker timeout of {} s; if it keeps coming, that worker's clock is behind (check NTP)",
                        heartbeat.workerId(), age / 1000, properties.workerTimeout().toSeconds());
            }
            return;
        }
        workers.put(heartbeat.workerId(), new WorkerStatus(heartbeat, now));
    }

    /**
     * A claim or a result sent within the worker timeout shows a known worker alive as well as a
     * heartbeat does: after a broker restart they may arrive before its heartbeats do.
     */
    public void sawAlive(WorkerMessage message) {
        long sentAtMs;
        if (message instanceof ClaimMessage claim) {
            sentAtMs = claim.claimedAtMs();
        } else if (message instanceof ResultMessage result) {
            sentAtMs = result.finishedAtMs();
        } else {
            return;
        }
        long now = clock.millis();
        if (now - sentAtMs <= properties.workerTimeout().toMillis()) {
            workers.computeIfPresent(message.workerId(),
                    (id, s) -> new WorkerStatus(s.heartbeat(), Math.max(s.lastSeenAt(), now)));
        }
    }

    /** The heartbeat consumer is (again) subscribed: workers get one worker timeout from now to be heard. */
    public void listening() {
        if (listeningSince == Long.MAX_VALUE) {
            log.info("heartbeats are consumed again; workers have {} s to be heard before any counts as lost",
                    properties.workerTimeout().toSeconds());
        }
        listeningSince = clock.millis();
    }

    /** The heartbeat consumer failed: until it is back, no worker is taken for lost. */
    public void deaf() {
        if (listeningSince != Long.MAX_VALUE) {
            log.warn("the heartbeat consumer is down; no worker counts as lost until it is back");
        }
        listeningSince = Long.MAX_VALUE;
    }

    /** Whether heartbeats have been consumed for a whole worker timeout, so that silence means a lost worker. */
    public boolean listenedLongEnough() {
        long since = listeningSince;
        return since != Long.MAX_VALUE && clock.millis() - since >= properties.workerTimeout().toMillis();
    }

    @EventListener
    void onConsumeOk(ConsumeOkEvent event) {
        if (Topology.HEARTBEATS_QUEUE.equals(event.getQueue())) {
            listening();
        }
    }

    @EventListener
    void onConsumerFailed(ListenerContainerConsumerFailedEvent event) {
        if (event.getSource() instanceof AbstractMessageListenerContainer container
                && Arrays.asList(container.getQueueNames()).contains(Topology.HEARTBEATS_QUEUE)) {
            deaf();
        }
    }

    /** Workers heard from within the worker timeout, by id. */
    public List<WorkerStatus> live() {
        long cutoff = clock.millis() - properties.workerTimeout().toMillis();
        return workers.values().stream()
                .filter(w -> w.lastSeenAt() >= cutoff)
                .sorted(Comparator.comparing(w -> w.heartbeat().workerId()))
                .toList();
    }

    /** Heard from this worker within the worker timeout. */
    public boolean isLive(String workerId) {
        WorkerStatus status = workers.get(workerId);
        return status != null && isLive(status);
    }

    /** Whether this record of a worker was heard within the worker timeout: as {@link #all} read it, not as now. */
    public boolean isLive(WorkerStatus status) {
        return status.lastSeenAt() >= clock.millis() - properties.workerTimeout().toMillis();
    }

    /**
     * When the process of this worker id that sent the last heartbeat started, by the worker's
     * clock; empty when it is unknown (no heartbeat, or a worker that does not say).
     */
    public OptionalLong processStartedAt(String workerId) {
        WorkerStatus status = workers.get(workerId);
        Long started = status == null ? null : status.heartbeat().processStartedAtMs();
        return started == null ? OptionalLong.empty() : OptionalLong.of(started);
    }

    /**
     * The attempts this worker holds by its last heartbeat, when that heartbeat says and was sent
     * (by the worker's clock) more than {@code afterMs} after {@code sinceMs}; empty otherwise.
     */
    public Optional<List<String>> heldAttempts(String workerId, long sinceMs, long afterMs) {
        WorkerStatus status = workers.get(workerId);
        if (status == null || status.heartbeat().heldAttempts() == null
                || status.heartbeat().sentAtMs() - sinceMs <= afterMs) {
            return Optional.empty();
        }
        return Optional.of(status.heartbeat().heldAttempts()); // a few keys at most: one per GPU
    }

    public List<WorkerStatus> all() {
        return workers.values().stream().sorted(Comparator.comparing(w -> w.heartbeat().workerId())).toList();
    }

    /** GPUs of the largest live worker; empty when no worker is live. */
    public OptionalInt largestLiveWorker() {
        return live().stream().mapToInt(w -> w.heartbeat().gpusTotal()).max();
    }

    /** One worker as last heard. */
    public record WorkerStatus(HeartbeatMessage heartbeat, long lastSeenAt) {
    }
}
