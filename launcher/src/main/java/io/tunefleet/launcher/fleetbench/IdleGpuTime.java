package io.tunefleet.launcher.fleetbench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Why the GPUs sat idle during a run, in GPU-seconds, from the timestamps the coordinator stored.
 * Each millisecond, each node's free GPUs are charged to the first cause that holds:
 * <ol>
 *   <li>{@code dispatch}: a published job that fits them waited: the workers had not claimed it yet
 *       (unless the node was emptying for a whole-node experiment, below);</li>
 *   <li>{@code coordinator}: a job that fits them was stored but not yet published, or a task had a
 *       free window slot and experiments left to suggest, or a slot was held by a result the
 *       coordinator had not committed yet;</li>
 *   <li>{@code placement}: jobs waited, but none fits the GPUs free on this node (fragmentation),
 *       or the node was emptying for a whole-node experiment: one waited, and it is what the node
 *       claimed next (as {@link FleetFigures.Gap#beforeWholeNode});</li>
 *   <li>{@code no_work}: nothing to run: every window full of running experiments, or the last ones
 *       running out.</li>
 * </ol>
 * The first two are what the running system adds; a simulation with zero overhead has none of them.
 * The last two are the placement rules and the workload. An experiment retried as a new attempt
 * keeps only its last attempt's times, so the GPUs its earlier attempts held count as idle; the
 * benchmark's workloads do not retry.
 */
record IdleGpuTime(double dispatchS, double coordinatorS, double placementS, double noWorkS, double capacityS) {

    /** A task's window and how many experiments it runs in all. */
    record TaskLimits(int window, int experiments) {
    }

    /**
     * @param rows          the run's experiments (those of other tasks, such as a warm-up, left out)
     * @param limits        window and experiment count by task id
     * @param workerIds     the nodes of the fleet
     * @param from          when the run began (ms); {@code to} when its last result was committed
     */
    static IdleGpuTime of(List<ExperimentRow> rows, Map<Long, TaskLimits> limits, List<String> workerIds,
                          int gpusPerWorker, long from, long to) {
        Map<String, Integer> node = new HashMap<>();
        workerIds.forEach(id -> node.putIfAbsent(id, node.size()));
        List<Long> taskIds = new ArrayList<>(limits.keySet());
        Map<Long, Integer> taskIndex = new HashMap<>();
        taskIds.forEach(id -> taskIndex.put(id, taskIndex.size()));
        double[] charged = new double[4];
        int[] used = new int[node.size()];
        int[] inFlight = new int[taskIds.size()];
        int[] stored = new int[taskIds.size()];
        List<List<ExperimentRow>> claimsByNode = new ArrayList<>();
        for (int n = 0; n < node.size(); n++) {
            claimsByNode.add(new ArrayList<>());
        }
        rows.stream().filter(r -> r.startedAt() != null && node.containsKey(r.workerId()))
                .sorted(Comparator.comparingLong(ExperimentRow::startedAt))
                .forEach(r -> claimsByNode.get(node.get(r.workerId())).add(r));
        int[] nextClaim = new int[node.size()];
        for (long t = from; t < to; t++) {
            Arrays.fill(used, 0);
            Arrays.fill(inFlight, 0);
            Arrays.fill(stored, 0);
            int smallestPublished = Integer.MAX_VALUE;
            int smallestUnpublished = Integer.MAX_VALUE;
            boolean resultPending = false;
            boolean wholeNodeWaits = false;
            for (ExperimentRow r : rows) {
                if (r.createdAt() > t) {
                    continue;
                }
                Integer task = taskIndex.get(r.taskId());
                boolean ended = r.committedAt() != null && r.committedAt() <= t;
                if (task != null) {
                    stored[task]++;
                    inFlight[task] += ended ? 0 : 1;
                }
                boolean started = r.startedAt() != null && r.startedAt() <= t;
                boolean finished = r.finishedAt() != null && r.finishedAt() <= t;
                if (started && !finished) {
                    Integer n = node.get(r.workerId());
                    if (n != null) {
                        used[n] += r.gpus();
                    }
                } else if (!started && !ended) {
                    if (r.queuedAt() != null && r.queuedAt() <= t) {
                        smallestPublished = Math.min(smallestPublished, r.gpus());
                        wholeNodeWaits |= r.gpus() == gpusPerWorker;
                    } else {
                        smallestUnpublished = Math.min(smallestUnpublished, r.gpus());
                    }
                } else if (finished && !ended) {
                    resultPending = true;
                }
            }
            boolean slotFree = false;
            for (int i = 0; i < taskIds.size(); i++) {
                TaskLimits l = limits.get(taskIds.get(i));
                slotFree |= inFlight[i] < l.window() && stored[i] < l.experiments();
            }
            for (int n = 0; n < used.length; n++) {
                List<ExperimentRow> claims = claimsByNode.get(n);
                while (nextClaim[n] < claims.size() && claims.get(nextClaim[n]).startedAt() <= t) {
                    nextClaim[n]++;
                }
                int free = gpusPerWorker - used[n];
                if (free <= 0) {
                    continue;
                }
                // Once the node is empty the whole-node job fits: waiting for it from then on is dispatch.
                boolean emptyingForWholeNode = wholeNodeWaits && free < gpusPerWorker
                        && nextClaim[n] < claims.size() && claims.get(nextClaim[n]).gpus() == gpusPerWorker;
                int cause = smallestPublished <= free && !emptyingForWholeNode ? 0
                        : smallestPublished > free && (smallestUnpublished <= free || slotFree || resultPending) ? 1
                        : smallestPublished != Integer.MAX_VALUE ? 2 : 3;
                charged[cause] += free;
            }
        }
        double capacity = (double) gpusPerWorker * node.size() * Math.max(0, to - from) / 1000.0;
        return new IdleGpuTime(charged[0] / 1000.0, charged[1] / 1000.0, charged[2] / 1000.0, charged[3] / 1000.0,
                capacity);
    }

    /** The share of all GPU time lost to the running system's own overheads (dispatch and coordinator). */
    double overheadShare() {
        return capacityS <= 0 ? 0 : (dispatchS + coordinatorS) / capacityS;
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("dispatch", round(dispatchS));
        json.put("coordinator", round(coordinatorS));
        json.put("placement", round(placementS));
        json.put("no_work", round(noWorkS));
        json.put("capacity", round(capacityS));
        json.put("overhead_share", Math.round(overheadShare() * 10_000) / 10_000.0);
        return json;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
