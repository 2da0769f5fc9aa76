package io.tunefleet.launcher.fleetbench;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunefleet.launcher.fleetbench.ScheduleSimulator.Order;
import io.tunefleet.launcher.fleetbench.ScheduleSimulator.Schedule;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Why the workers ask the whole-node queue first and then the queue with the oldest job: on the
 * benchmark's mixed workloads, with zero overhead, that order comes within 1 % of trying experiments
 * oldest first (mixed 18.21 s against 18.03 s, two-tasks equal) and beats the largest-first order
 * the workers used before (18.30 s, 26.31 s); it also keeps whole-node jobs from starving.
 */
class ScheduleSimulatorTest {

    @ParameterizedTest
    @ValueSource(strings = {"mixed", "two-tasks"})
    void wholeNodeFirstThenOldestMatchesOldestFirstAndBeatsLargestFirst(String name) {
        Workload w = Workload.named(name);
        double oldest = ScheduleSimulator.greedy(w, Order.SUBMISSION);
        double wholeNodeFirst = ScheduleSimulator.greedy(w, Order.WHOLE_NODE_FIRST);
        double largestFirst = ScheduleSimulator.greedy(w, Order.LARGEST_FIRST);
        System.out.printf("%s: LB %.2f s, oldest first %.2f s, whole node first %.2f s, largest first %.2f s%n", name,
                ScheduleSimulator.lowerBound(w), oldest, wholeNodeFirst, largestFirst);

        assertThat(wholeNodeFirst).as("within 1 % of oldest first").isLessThanOrEqualTo(oldest * 1.011);
        assertThat(largestFirst).isGreaterThan(wholeNodeFirst);
        assertThat(ScheduleSimulator.strictFifo(w)).isGreaterThan(wholeNodeFirst);
        assertThat(ScheduleSimulator.lowerBound(w)).isLessThanOrEqualTo(wholeNodeFirst);
    }

    /**
     * Why one node at a time drains ({@code DrainToken}): on the benchmark's own workloads the
     * workers' rules then come within 1 % of the greedy reference or beat it (mixed 17.85 s against
     * 18.03 s, two-tasks 25.20 s against 25.43 s); with every qualifying node draining, mixed took
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
     * duration in 27 and 33 of them (20 times at worst); the workers' rules (whole-node first, then
     * oldest, and one node draining) in 7 and 9, while their makespans come out 1.6 % and 1.8 % shorter.
     */
    @Test
    void theWorkersRulesStarveWholeNodeJobsFarLessThanGreedyAtNoCostInMakespan() {
        for (String shape : List.of("mixed", "two-tasks")) {
            int greedyStarved = 0;
            int policyStarved = 0;
            double greedyTotal = 0;
            double policyTotal = 0;
            for (long seed = 100; seed < 140; seed++) {
                Workload w = shape.equals("mixed")
                        ? new Workload(shape, 3, 8, List.of(new Workload.TaskLoad(24, Workload.mixed(120, seed))))
                        : new Workload(shape, 3, 8, List.of(new Workload.TaskLoad(12, Workload.mixed(60, seed)),
                                new Workload.TaskLoad(16, Workload.mixed(60, seed + 1000))));
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
