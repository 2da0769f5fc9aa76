package io.tunefleet.launcher.fleetbench;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunefleet.launcher.fleetbench.ScheduleSimulator.Order;
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
}
