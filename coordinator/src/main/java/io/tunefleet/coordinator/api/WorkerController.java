package io.tunefleet.coordinator.api;

import io.tunefleet.coordinator.fleet.FleetView;
import java.time.Instant;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The fleet as heard in heartbeats: {@code GET /api/workers}. */
@RestController
class WorkerController {

    private final FleetView fleet;

    WorkerController(FleetView fleet) {
        this.fleet = fleet;
    }

    @GetMapping("/api/workers")
    List<WorkerView> workers() {
        // Live as the record shown says: compared with a list read a moment before, a record that a heartbeat
        // replaced in between would read as not live.
        return fleet.all().stream().map(w -> new WorkerView(w.heartbeat().workerId(), w.heartbeat().host(),
                w.heartbeat().gpusTotal(), w.heartbeat().gpusFree(), w.heartbeat().gpusQuarantined(),
                w.heartbeat().running(), Instant.ofEpochMilli(w.lastSeenAt()), fleet.isLive(w))).toList();
    }

    record WorkerView(String workerId, String host, int gpusTotal, int gpusFree, int gpusQuarantined, int running,
                      Instant lastSeenAt, boolean live) {
    }
}
