package io.tunefleet.coordinator.fleet;

import io.tunefleet.common.message.HeartbeatMessage;
import io.tunefleet.coordinator.config.CoordinatorProperties;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/** The workers the coordinator has heard from lately, from their heartbeats. */
@Component
public class FleetView {

    private final Map<String, WorkerStatus> workers = new ConcurrentHashMap<>();
    private final Clock clock;
    private final CoordinatorProperties properties;

    FleetView(Clock clock, CoordinatorProperties properties) {
        this.clock = clock;
        this.properties = properties;
    }

    /**
     * Records a heartbeat. One sent longer ago than the worker timeout (it waited in the queue while
     * the coordinator was down) proves nothing about the worker now and is ignored.
     */
    public void heard(HeartbeatMessage heartbeat) {
        long now = clock.millis();
        if (now - heartbeat.sentAtMs() > properties.workerTimeout().toMillis()) {
            return;
        }
        workers.put(heartbeat.workerId(), new WorkerStatus(heartbeat, now));
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
        return status != null && status.lastSeenAt() >= clock.millis() - properties.workerTimeout().toMillis();
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
