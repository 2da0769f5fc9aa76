package io.tunefleet.launcher.fleetbench;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunefleet.launcher.fleetbench.ScheduleSimulator.Order;
import io.tunefleet.launcher.fleetbench.ScheduleSimulator.Schedule;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Why the workers ask the whole-node queue first and then the queue with the oldest job: with zero
 * overhead, that order comes within 1 % of trying experiments oldest first on the benchmark's mixed
 * workloads (mixed 18.21 s against 18.03 s, two-tasks 27.23 s both) and beats it over 40 seeded
 * workloads of each shape (1002.9 s against 1010.8 s, 999.0 s against 1012.8 s), and stays within 1 %
 * of the largest-first order the workers used before (999.9 s, 1006.0 s). Only the benchmark's
 * two-tasks seed favours largest first (26.31 s).
 */
class ScheduleSimulatorTest {

    @ParameterizedTest
    @ValueSource(strings = {"mixed", "two-tasks"})
    void wholeNodeFirstThenOldestKeepsUpWithOldestFirst(String name) {
        Workload w = Workload.named(name);
        double oldest = ScheduleSimulator.greedy(w, Order.SUBMISSION);
        double wholeNodeFirst = ScheduleSimulator.greedy(w, Order.WHOLE_NODE_FIRST);
        System.out.printf("%s: LB %.2f s, oldest first %.2f s, whole node first %.2f s, largest first %.2f s%n", name,
                ScheduleSimulator.lowerBound(w), oldest, wholeNodeFirst, ScheduleSimulator.greedy(w, Order.LARGEST_FIRST));

        assertThat(wholeNodeFirst).as("within 1 % of oldest first").isLessThanOrEqualTo(oldest * 1.011);
        assertThat(ScheduleSimulator.strictFifo(w)).isGreaterThan(wholeNodeFirst);
        assertThat(ScheduleSimulator.lowerBound(w)).isLessThanOrEqualTo(wholeNodeFirst);

        double[] totals = new double[Order.values().length];
        for (long seed = 100; seed < 140; seed++) {
            Workload seeded = seeded(name, seed);
            for (Order order : Order.values()) {
                totals[order.ordinal()] += ScheduleSimulator.greedy(seeded, order);
            }
        }
        System.out.printf("%s, 40 seeds: oldest first %.1f s, whole node first %.1f s, largest first %.1f s%n", name,
                totals[Order.SUBMISSION.ordinal()], totals[Order.WHOLE_NODE_FIRST.ordinal()],
                totals[Order.LARGEST_FIRST.ordinal()]);
        assertThat(totals[Order.WHOLE_NODE_FIRST.ordinal()]).isLessThanOrEqualTo(totals[Order.SUBMISSION.ordinal()])
                .isLessThanOrEqualTo(totals[Order.LARGEST_FIRST.ordinal()] * 1.01);
    }

    /** A workload of the benchmark's shape {@code name} ({@code mixed} or {@code two-tasks}) on other seeds. */
    private static Workload seeded(String name, long seed) {
        return name.equals("mixed")
                ? new Workload(name, 3, 8, List.of(new Workload.TaskLoad(24, Workload.mixed(120, seed))))
                : new Workload(name, 3, 8, List.of(new Workload.TaskLoad(12, Workload.mixed(60, seed)),
                        new Workload.TaskLoad(16, Workload.mixed(60, seed + 1000))));
    }

    /**
     * Tasks arrive as the benchmark submits them, one after the other: the first fills its window
     * before the second admits any. Here the first task's two jobs take both GPUs, so the second
     * task's long job starts only when one of them ends (interleaving the two windows would start it
     * at once and end at 3 s).
     */
    @Test
    void theFirstTaskSubmittedFillsItsWindowFirst() {
        Workload w = new Workload("arrival", 1, 2, List.of(
                new Workload.TaskLoad(2, List.of(new Workload.Job(1, 1, 1_000), new Workload.Job(2, 1, 1_000))),
                new Workload.TaskLoad(1, List.of(new Workload.Job(1, 1, 3_000)))));

        assertThat(ScheduleSimulator.reference(w).makespanS()).isEqualTo(4.0);
    }

    /**
     * Why one node at a time drains ({@code DrainToken}): on the benchmark's own workloads the
     * workers' rules then come within 1 % of the greedy reference or beat it (mixed 17.85 s against
     * 18.03 s, two-tasks 25.97 s against 27.23 s); with every qualifying node draining, mixed took
     * 18.84 s.
     */
    @ParameterizedTest
    @ValueSource(strings = {"mixed", "two-tasks"})
    void withOneNodeDrainingTheWorkersRulesKeepUpWithGreedy(String name) {
        Workload w = Workload.named(name);
        double policy = ScheduleSimulator.fleetPolicy(w).makespanS();
        double greedy = ScheduleSimulator.reference(w).makespanS();
        System.out.printf("%s: workers' rules %.2f s, greedy %.2f s%n", name, policy, greedy);

        assertThat(policy).isLessThanOrEqualTo(greedy * 1.01);
    }

    /**
     * Why workers drain a node for a whole-node experiment: over 40 seeded mixed workloads of each
     * shape, a greedy oldest-first scheduler lets a whole-node experiment wait over 3 times its
     * duration in 27 and 30 of them; the workers' rules (whole-node first, then oldest, and one node
     * draining) in 7 and 5, while their makespans come out 1.6 % and 2.1 % shorter.
     */
    @Test
    void theWorkersRulesStarveWholeNodeJobsFarLessThanGreedyAtNoCostInMakespan() {
        for (String shape : List.of("mixed", "two-tasks")) {
            int greedyStarved = 0;
            int policyStarved = 0;
            double greedyTotal = 0;
            double policyTotal = 0;
            for (long seed = 100; seed < 140; seed++) {
                Workload w = seeded(shape, seed);
                Schedule greedy = ScheduleSimulator.reference(w);
                Schedule policy = ScheduleSimulator.fleetPolicy(w);
                greedyStarved += greedy.maxWholeNodeWaitOverDuration() > 3 ? 1 : 0;
                policyStarved += policy.maxWholeNodeWaitOverDuration() > 3 ? 1 : 0;
                greedyTotal += greedy.makespanS();
                policyTotal += policy.makespanS();
            }
            System.out.printf("%s, 40 seeds: whole-node wait over 3x in %d (greedy) and %d (workers' rules); "
                    + "total makespan %.1f s and %.1f s%n", shape, greedyStarved, policyStarved, greedyTotal, policyTotal);

            assertThat(policyStarved).as(shape).isLessThanOrEqualTo(greedyStarved / 3);
            assertThat(policyTotal).as(shape).isLessThanOrEqualTo(greedyTotal);
        }
    }
}
