package io.tunefleet.launcher;

import io.tunefleet.worker.gpu.GpuPool;
import io.tunefleet.worker.gpu.GpuReservation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Records every reservation and release of every worker's GPU pool, in order, and replays them to
 * find a GPU held by two experiments or a worker holding more GPUs than it has.
 */
final class GpuTimeline {

    private final List<Event> events = new ArrayList<>();

    void watch(String workerId, GpuPool pool) {
        pool.addListener(new GpuPool.Listener() {
            @Override
            public void onReserved(GpuReservation reservation) {
                record(new Event(workerId, reservation.indices(), true, reservation));
            }

            @Override
            public void onReleased(GpuReservation reservation) {
                record(new Event(workerId, reservation.indices(), false, reservation));
            }
        });
    }

    private synchronized void record(Event event) {
        events.add(event);
    }

    synchronized int reservations() {
        return (int) events.stream().filter(Event::reserved).count();
    }

    /** Replays the timeline; returns every violation found, empty when there is none. */
    synchronized List<String> violations(Map<String, Integer> gpusPerWorker) {
        List<String> violations = new ArrayList<>();
        Map<String, Map<Integer, GpuReservation>> held = new HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            Map<Integer, GpuReservation> workerHeld = held.computeIfAbsent(e.workerId(), w -> new HashMap<>());
            for (int gpu : e.indices()) {
                if (e.reserved()) {
                    GpuReservation other = workerHeld.putIfAbsent(gpu, e.reservation());
                    if (other != null) {
                        violations.add("event " + i + ": " + e.workerId() + " GPU " + gpu + " reserved by "
                                + e.reservation() + " while held by " + other);
                    }
                } else if (workerHeld.get(gpu) == e.reservation()) {
                    workerHeld.remove(gpu);
                } else {
                    violations.add("event " + i + ": " + e.workerId() + " GPU " + gpu + " released by "
                            + e.reservation() + " which did not hold it");
                }
            }
            Set<Integer> distinct = new HashSet<>(e.indices());
            if (distinct.size() != e.indices().size()) {
                violations.add("event " + i + ": reservation lists a GPU twice: " + e.indices());
            }
            if (workerHeld.size() > gpusPerWorker.get(e.workerId())) {
                violations.add("event " + i + ": " + e.workerId() + " holds " + workerHeld.size() + " GPUs but has "
                        + gpusPerWorker.get(e.workerId()));
            }
        }
        return violations;
    }

    private record Event(String workerId, List<Integer> indices, boolean reserved, GpuReservation reservation) {
    }
}
