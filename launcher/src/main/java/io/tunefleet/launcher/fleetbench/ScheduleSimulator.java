package io.tunefleet.launcher.fleetbench;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Zero-overhead discrete-event simulations of a workload on its fleet, for reference figures:
 * <ul>
 *   <li>{@link #greedy}: the instant GPUs free, start any admitted experiment that fits, on the
 *       best-fit node (fewest free GPUs that still fit), knowing nothing of durations;</li>
 *   <li>{@link #strictFifo}: the seed document's pool: experiments start strictly in order, and one
 *       that does not fit blocks all behind it (head-of-line blocking).</li>
 * </ul>
 * Both honour each task's window: at most that many experiments of the task admitted at once.
 * {@link #greedy(Workload, Order)} tries other orders among the admitted experiments, to compare
 * placement rules on the same workload without running a fleet.
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

    public static double greedy(Workload w) {
        return greedy(w, Order.SUBMISSION);
    }

    public static double greedy(Workload w, Order order) {
        return simulate(w, false, order);
    }

    public static double strictFifo(Workload w) {
        return simulate(w, true, Order.SUBMISSION);
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

    private record Pending(int task, int index, Workload.Job job, long order) {
    }

    private record Running(double end, int task, int node, int gpus) {
    }

    private static double simulate(Workload w, boolean fifo, Order tryOrder) {
        int[] free = new int[w.workers()];
        java.util.Arrays.fill(free, w.gpusPerWorker());
        int tasks = w.tasks().size();
        int[] nextIndex = new int[tasks];
        int[] inFlight = new int[tasks];
        List<Pending> admitted = new ArrayList<>();
        PriorityQueue<Running> running = new PriorityQueue<>((a, b) -> Double.compare(a.end, b.end));
        double now = 0;
        double makespan = 0;
        long[] order = {0};
        admit(w, nextIndex, inFlight, admitted, order);
        while (true) {
            sort(admitted, tryOrder, w.gpusPerWorker());
            // start what can start now
            for (int i = 0; i < admitted.size(); ) {
                Pending p = admitted.get(i);
                int node = bestFit(free, p.job.gpus());
                if (node < 0) {
                    if (fifo) {
                        break;
                    }
                    i++;
                    continue;
                }
                free[node] -= p.job.gpus();
                running.add(new Running(now + p.job.durationMs() / 1000.0, p.task, node, p.job.gpus()));
                admitted.remove(i);
            }
            Running done = running.poll();
            if (done == null) {
                return makespan;
            }
            now = done.end;
            makespan = Math.max(makespan, now);
            free[done.node] += done.gpus;
            inFlight[done.task]--;
            // everything ending at the same instant frees together
            while (!running.isEmpty() && running.peek().end == now) {
                Running also = running.poll();
                free[also.node] += also.gpus;
                inFlight[also.task]--;
            }
            admit(w, nextIndex, inFlight, admitted, order);
        }
    }

    private static void sort(List<Pending> admitted, Order order, int wholeNode) {
        java.util.Comparator<Pending> oldest = java.util.Comparator.comparingLong(Pending::order);
        switch (order) {
            case SUBMISSION -> admitted.sort(oldest);
            case LARGEST_FIRST -> admitted.sort(java.util.Comparator.<Pending>comparingInt(p -> -p.job().gpus())
                    .thenComparing(oldest));
            case WHOLE_NODE_FIRST -> admitted.sort(java.util.Comparator.<Pending>comparingInt(
                    p -> p.job().gpus() == wholeNode ? 0 : 1).thenComparing(oldest));
        }
    }

    /** Admits experiments into each task's window, keeping global submission order (round-robin by seq). */
    private static void admit(Workload w, int[] nextIndex, int[] inFlight, List<Pending> admitted, long[] order) {
        boolean any = true;
        while (any) {
            any = false;
            for (int t = 0; t < w.tasks().size(); t++) {
                Workload.TaskLoad task = w.tasks().get(t);
                if (inFlight[t] < task.window() && nextIndex[t] < task.jobs().size()) {
                    admitted.add(new Pending(t, nextIndex[t], task.jobs().get(nextIndex[t]), order[0]++));
                    nextIndex[t]++;
                    inFlight[t]++;
                    any = true;
                }
            }
        }
    }

    private static int bestFit(int[] free, int gpus) {
        int best = -1;
        for (int n = 0; n < free.length; n++) {
            if (free[n] >= gpus && (best < 0 || free[n] < free[best])) {
                best = n;
            }
        }
        return best;
    }
}
