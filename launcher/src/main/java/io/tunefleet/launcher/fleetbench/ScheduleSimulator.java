package io.tunefleet.launcher.fleetbench;

import io.tunefleet.worker.claim.ClaimLoop;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Zero-overhead discrete-event simulations of a workload on its fleet, for reference figures:
 * <ul>
 *   <li>{@link #reference}: the instant GPUs free, start any admitted experiment that fits, on the
 *       best-fit node (fewest free GPUs that still fit), knowing nothing of durations;</li>
 *   <li>{@link #strictFifo}: the seed document's pool: experiments start strictly in order, and one
 *       that does not fit blocks all behind it (head-of-line blocking);</li>
 *   <li>{@link #fleetPolicy}: the workers' own rules: whole-node experiments first, then oldest
 *       first, and one node at a time drains for a starving whole-node experiment by
 *       {@link ClaimLoop#drains}.</li>
 * </ul>
 * All honour each task's window: at most that many experiments of the task admitted at once.
 * {@link #run} also reports how long whole-node experiments waited, so the placement rules can be
 * compared on both makespan and starvation without running a fleet.
 */
public final class ScheduleSimulator {

    private ScheduleSimulator() {
    }

    /** The order in which a greedy scheduler tries the admitted experiments when GPUs free. */
    public enum Order {
        /** Oldest first: the reference. */
        SUBMISSION,
        /** Most GPUs first, oldest first among equals: the workers' first rule. */
        LARGEST_FIRST,
        /** Whole-node experiments first, then oldest first: what the workers do now. */
        WHOLE_NODE_FIRST
    }

    /**
     * One simulated run.
     *
     * @param maxWholeNodeWaitOverDuration the longest wait of a whole-node experiment from the moment
     *                                     it was at the head of its task's window, over its duration:
     *                                     the benchmark's starvation figure, on the same definition
     */
    public record Schedule(double makespanS, double maxWholeNodeWaitOverDuration) {
    }

    /** The greedy scheduler trying experiments oldest first: the benchmark's reference ("ideal"). */
    public static Schedule reference(Workload w) {
        return run(w, Order.SUBMISSION, false, DrainRule.NEVER);
    }

    public static double greedy(Workload w, Order order) {
        return run(w, order, false, DrainRule.NEVER).makespanS();
    }

    public static double strictFifo(Workload w) {
        return run(w, Order.SUBMISSION, true, DrainRule.NEVER).makespanS();
    }

    /** Whole-node first, then oldest first, with the workers' drain rule. */
    public static Schedule fleetPolicy(Workload w) {
        return run(w, Order.WHOLE_NODE_FIRST, false, ClaimLoop::drains);
    }

    /** When a node stops backfilling for a whole-node experiment: {@link ClaimLoop#drains}'s arguments. */
    @FunctionalInterface
    public interface DrainRule {
        DrainRule NEVER = (total, free, oldestGpus, waitedMs, meanRunMs) -> false;

        boolean drains(int total, int free, int oldestJobGpus, long oldestWaitMs, double meanRunMs);
    }

    /** LB = max(sum g*d / GPUs, max d, max over tasks of sum d / window, whole-node work / nodes), seconds. */
    public static double lowerBound(Workload w) {
        double gpuSeconds = 0;
        double longest = 0;
        double byWindow = 0;
        double wholeNode = 0;
        for (Workload.TaskLoad t : w.tasks()) {
            double taskSeconds = 0;
            for (Workload.Job j : t.jobs()) {
                double d = j.durationMs() / 1000.0;
                gpuSeconds += j.gpus() * d;
                longest = Math.max(longest, d);
                taskSeconds += d;
                if (j.gpus() == w.gpusPerWorker()) {
                    wholeNode += d;
                }
            }
            byWindow = Math.max(byWindow, taskSeconds / t.window());
        }
        return Math.max(Math.max(gpuSeconds / w.totalGpus(), longest), Math.max(byWindow, wholeNode / w.workers()));
    }

    public static double sequential(Workload w) {
        return w.tasks().stream().flatMap(t -> t.jobs().stream()).mapToLong(Workload.Job::durationMs).sum() / 1000.0;
    }

    private record Pending(int task, int index, Workload.Job job, long order, double admittedAt) {
    }

    private record Running(double end, int task, int node, int gpus, double durationS) {
    }

    /**
     * @param fifo  stop at the first admitted experiment that does not fit
     * @param drain whether a node stops backfilling, given the oldest admitted experiment, how long it
     *              waited and the node's running mean of its experiments' durations; decided at events,
     *              and of the nodes that would, only one drains, as the workers' drain token allows
     */
    public static Schedule run(Workload w, Order tryOrder, boolean fifo, DrainRule drain) {
        int nodes = w.workers();
        int size = w.gpusPerWorker();
        int[] free = new int[nodes];
        Arrays.fill(free, size);
        double[] meanRunMs = new double[nodes];
        int tasks = w.tasks().size();
        int[] nextIndex = new int[tasks];
        int[] inFlight = new int[tasks];
        double[][] startedAt = new double[tasks][];
        double[][] admittedAt = new double[tasks][];
        for (int t = 0; t < tasks; t++) {
            startedAt[t] = new double[w.tasks().get(t).jobs().size()];
            admittedAt[t] = new double[startedAt[t].length];
        }
        List<Pending> admitted = new ArrayList<>();
        PriorityQueue<Running> running = new PriorityQueue<>(Comparator.comparingDouble(Running::end));
        double now = 0;
        double makespan = 0;
        long[] order = {0};
        int holder = -1;
        admit(w, nextIndex, inFlight, admitted, order, now, true);
        while (true) {
            boolean[] draining = new boolean[nodes];
            if (admitted.isEmpty()) {
                holder = -1; // nothing waits: the draining node would have given the token back
            }
            if (drain != DrainRule.NEVER && !admitted.isEmpty()) {
                Pending oldest = admitted.stream().min(Comparator.comparingLong(Pending::order)).orElseThrow();
                long waitedMs = Math.round((now - oldest.admittedAt()) * 1000);
                for (int n = 0; n < nodes; n++) {
                    draining[n] = drain.drains(size, free[n], oldest.job().gpus(), waitedMs, meanRunMs[n]);
                }
                // One node drains at a time (the workers' DrainToken): the one that took the token
                // keeps it while it qualifies; else the first that qualifies takes it.
                if (holder < 0 || !draining[holder]) {
                    holder = -1;
                    for (int n = 0; n < nodes && holder < 0; n++) {
                        holder = draining[n] ? n : -1;
                    }
                }
                Arrays.fill(draining, false);
                if (holder >= 0) {
                    draining[holder] = true;
                }
            }
            sort(admitted, tryOrder, size);
            for (int i = 0; i < admitted.size(); ) {
                Pending p = admitted.get(i);
                int node = bestFit(free, p.job().gpus(), p.job().gpus() == size ? null : draining);
                if (node < 0) {
                    if (fifo) {
                        break;
                    }
                    i++;
                    continue;
                }
                free[node] -= p.job().gpus();
                double d = p.job().durationMs() / 1000.0;
                running.add(new Running(now + d, p.task(), node, p.job().gpus(), d));
                startedAt[p.task()][p.index()] = now;
                admittedAt[p.task()][p.index()] = p.admittedAt();
                admitted.remove(i);
            }
            Running done = running.poll();
            if (done == null) {
                return new Schedule(makespan, wholeNodeWaitOverDuration(w, startedAt, admittedAt));
            }
            now = done.end();
            makespan = Math.max(makespan, now);
            finish(done, free, inFlight, meanRunMs);
            // everything ending at the same instant frees together
            while (!running.isEmpty() && running.peek().end() == now) {
                finish(running.poll(), free, inFlight, meanRunMs);
            }
            admit(w, nextIndex, inFlight, admitted, order, now, false);
        }
    }

    private static void finish(Running r, int[] free, int[] inFlight, double[] meanRunMs) {
        free[r.node()] += r.gpus();
        inFlight[r.task()]--;
        double ms = r.durationS() * 1000;
        meanRunMs[r.node()] = meanRunMs[r.node()] == 0 ? ms : 0.8 * meanRunMs[r.node()] + 0.2 * ms;
    }

    /** As {@link FleetFigures#wholeNodeWait}: from max(admitted, every earlier experiment of the task started). */
    private static double wholeNodeWaitOverDuration(Workload w, double[][] startedAt, double[][] admittedAt) {
        double worst = 0;
        for (int t = 0; t < w.tasks().size(); t++) {
            List<Workload.Job> jobs = w.tasks().get(t).jobs();
            double earlierStarted = 0;
            for (int i = 0; i < jobs.size(); i++) {
                Workload.Job j = jobs.get(i);
                if (j.gpus() == w.gpusPerWorker()) {
                    double head = Math.max(admittedAt[t][i], earlierStarted);
                    double wait = Math.max(0, startedAt[t][i] - head);
                    worst = Math.max(worst, wait / Math.max(j.durationMs() / 1000.0, 1e-3));
                }
                earlierStarted = Math.max(earlierStarted, startedAt[t][i]);
            }
        }
        return worst;
    }

    private static void sort(List<Pending> admitted, Order order, int wholeNode) {
        Comparator<Pending> oldest = Comparator.comparingLong(Pending::order);
        switch (order) {
            case SUBMISSION -> admitted.sort(oldest);
            case LARGEST_FIRST -> admitted.sort(Comparator.<Pending>comparingInt(p -> -p.job().gpus())
                    .thenComparing(oldest));
            case WHOLE_NODE_FIRST -> admitted.sort(Comparator.<Pending>comparingInt(
                    p -> p.job().gpus() == wholeNode ? 0 : 1).thenComparing(oldest));
        }
    }

    /**
     * Admits experiments into each task's window. At the start the tasks arrive in the order they are
     * submitted, each filling its window before the next (as the benchmark submits them, one after the
     * other, and the coordinator publishes each task's first window as it comes); after that, slots
     * freed at the same instant are refilled round-robin across the tasks, each in its own order.
     */
    private static void admit(Workload w, int[] nextIndex, int[] inFlight, List<Pending> admitted, long[] order,
                              double now, boolean arrival) {
        boolean any = true;
        while (any) {
            any = false;
            for (int t = 0; t < w.tasks().size(); t++) {
                Workload.TaskLoad task = w.tasks().get(t);
                while (inFlight[t] < task.window() && nextIndex[t] < task.jobs().size()) {
                    admitted.add(new Pending(t, nextIndex[t], task.jobs().get(nextIndex[t]), order[0]++, now));
                    nextIndex[t]++;
                    inFlight[t]++;
                    any = true;
                    if (!arrival) {
                        break; // one per task per round
                    }
                }
            }
        }
    }

    /** The fitting node with the fewest free GPUs, skipping draining ones ({@code draining} may be null). */
    private static int bestFit(int[] free, int gpus, boolean[] draining) {
        int best = -1;
        for (int n = 0; n < free.length; n++) {
            if (free[n] >= gpus && (draining == null || !draining[n]) && (best < 0 || free[n] < free[best])) {
                best = n;
            }
        }
        return best;
    }
}
