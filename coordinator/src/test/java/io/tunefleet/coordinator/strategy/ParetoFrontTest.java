package io.tunefleet.coordinator.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunefleet.coordinator.strategy.ParetoFront.Point;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParetoFrontTest {

    @Test
    void frontHoldsTheExperimentsNoOtherBeatsOnBothAxes() {
        List<Point<String>> points = List.of(
                new Point<>("a", 1000, 2.0, true),  // highest throughput
                new Point<>("b", 800, 1.0, true),   // front
                new Point<>("c", 700, 1.5, true),   // dominated by b
                new Point<>("d", 400, 0.5, true),   // lowest latency
                new Point<>("e", 1200, 0.4, false), // would dominate all, but breaks the SLO
                new Point<>("f", 800, 1.2, true),   // same throughput as b, slower: dominated
                new Point<>("g", 900, Double.NaN, true),
                new Point<>("h", 400, 0.5, true));  // ties d: kept

        assertThat(ParetoFront.of(points)).extracting(Point::id).containsExactly("a", "b", "d", "h");
    }

    @Test
    void noFeasibleExperimentsGiveAnEmptyFront() {
        assertThat(ParetoFront.of(List.of(new Point<>(1L, 10, 1, false)))).isEmpty();
    }
}
