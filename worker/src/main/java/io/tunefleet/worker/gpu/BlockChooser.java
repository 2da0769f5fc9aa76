package io.tunefleet.worker.gpu;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;

/**
 * Which GPUs to take out of the available ones. Without a topology: the lowest-index run of
 * consecutive indices when there is one (neighbours usually share the faster links), else simply
 * the lowest indices. With one ({@code nvidia-smi topo -m}): for several GPUs, the set whose slowest
 * link is fastest, then whose links are fastest in sum; for one GPU, the one worst connected to the
 * other free GPUs, which keeps well-joined groups whole for later multi-GPU jobs. Where the
 * topology finds nothing better, the plain choice stands.
 */
final class BlockChooser {

    /** Sets of candidates beyond this many are not all scored: the plain choice is taken. */
    static final int MAX_SETS = 20_000;

    private BlockChooser() {
    }

    /** @return {@code count} indices from {@code available}, or an empty list when there are too few */
    static List<Integer> choose(NavigableSet<Integer> available, int count) {
        if (count < 1 || available.size() < count) {
            return List.of();
        }
        List<Integer> run = new ArrayList<>();
        for (int index : available) {
            if (!run.isEmpty() && run.get(run.size() - 1) != index - 1) {
                run.clear();
            }
            run.add(index);
            if (run.size() == count) {
                return List.copyOf(run);
            }
        }
        return available.stream().limit(count).toList();
    }

    /** As {@link #choose(NavigableSet, int)}, preferring the fastest-linked GPUs of {@code topology}. */
    static List<Integer> choose(NavigableSet<Integer> available, int count, GpuTopology topology) {
        List<Integer> plain = choose(available, count);
        if (plain.isEmpty() || !topology.known() || count == available.size()) {
            return plain;
        }
        List<Integer> free = List.copyOf(available);
        if (count == 1) {
            return List.of(mostIsolated(free, plain.get(0), topology));
        }
        if (combinations(free.size(), count) > MAX_SETS) {
            return plain;
        }
        Best best = new Best(plain, score(plain, topology));
        search(free, count, 0, new ArrayList<>(), topology, best);
        return best.set;
    }

    /** The best set so far and its {slowest link, sum of links}; the plain choice until beaten. */
    private static final class Best {
        List<Integer> set;
        long[] score;

        Best(List<Integer> set, long[] score) {
            this.set = set;
            this.score = score;
        }
    }

    /** Scores every {@code count}-subset of {@code free} as it is built, keeping the strictly better ones. */
    private static void search(List<Integer> free, int count, int from, List<Integer> current, GpuTopology topology,
                               Best best) {
        if (current.size() == count) {
            long[] s = score(current, topology);
            if (s[0] < best.score[0] || (s[0] == best.score[0] && s[1] < best.score[1])) {
                best.set = List.copyOf(current);
                best.score = s;
            }
            return;
        }
        for (int i = from; i <= free.size() - (count - current.size()); i++) {
            current.add(free.get(i));
            search(free, count, i + 1, current, topology, best);
            current.remove(current.size() - 1);
        }
    }

    /** The free GPU with the slowest links to the other free ones; {@code plain} among equals. */
    private static int mostIsolated(List<Integer> free, int plain, GpuTopology topology) {
        int best = plain;
        long bestCost = isolation(plain, free, topology);
        for (int gpu : free) {
            long cost = isolation(gpu, free, topology);
            if (cost > bestCost) {
                best = gpu;
                bestCost = cost;
            }
        }
        return best;
    }

    private static long isolation(int gpu, List<Integer> free, GpuTopology topology) {
        return free.stream().filter(o -> o != gpu).mapToLong(o -> topology.cost(gpu, o)).sum();
    }

    /** {slowest link, sum of links} over the pairs of a set. */
    private static long[] score(List<Integer> set, GpuTopology topology) {
        long worst = 0;
        long sum = 0;
        for (int i = 0; i < set.size(); i++) {
            for (int j = i + 1; j < set.size(); j++) {
                int c = topology.cost(set.get(i), set.get(j));
                worst = Math.max(worst, c);
                sum += c;
            }
        }
        return new long[] {worst, sum};
    }

    private static long combinations(int n, int k) {
        long c = 1;
        for (int i = 1; i <= k; i++) {
            c = c * (n - k + i) / i;
            if (c > MAX_SETS) {
                return c;
            }
        }
        return c;
    }
}
