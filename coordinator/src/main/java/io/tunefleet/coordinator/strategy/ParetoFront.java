package io.tunefleet.coordinator.strategy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The Pareto front of throughput per GPU (higher is better) against a latency percentile (lower is
 * better) among experiments that meet the task's SLOs: the experiments no other one beats on both.
 */
public final class ParetoFront {

    /**
     * One candidate.
     *
     * @param id               what the caller needs back, e.g. the experiment id
     * @param throughputPerGpu output tokens per second per GPU
     * @param latency          the chosen latency percentile, e.g. p90 end-to-end latency in seconds
     * @param sloFeasible      false for experiments that violate a hard SLO; they never enter the front
     */
    public record Point<T>(T id, double throughputPerGpu, double latency, boolean sloFeasible) {
    }

    private ParetoFront() {
    }

    /**
     * The non-dominated SLO-feasible points, by throughput descending (so latency ascends). A point is
     * dominated when another has at least its throughput and at most its latency, and is better in one;
     * points with equal figures are all kept. Points with a missing (NaN or infinite) figure are left out.
     */
    public static <T> List<Point<T>> of(Collection<Point<T>> points) {
        List<Point<T>> candidates = new ArrayList<>();
        for (Point<T> p : points) {
            if (p.sloFeasible && Double.isFinite(p.throughputPerGpu) && Double.isFinite(p.latency)) {
                candidates.add(p);
            }
        }
        candidates.sort(Comparator.<Point<T>>comparingDouble(p -> -p.throughputPerGpu)
                .thenComparingDouble(p -> p.latency));
        List<Point<T>> front = new ArrayList<>();
        double bestLatency = Double.POSITIVE_INFINITY;
        Point<T> last = null;
        for (Point<T> p : candidates) {
            boolean tiesLast = last != null && p.throughputPerGpu == last.throughputPerGpu && p.latency == last.latency;
            if (p.latency < bestLatency || tiesLast) {
                front.add(p);
                bestLatency = Math.min(bestLatency, p.latency);
                last = p;
            }
        }
        return front;
    }
}
