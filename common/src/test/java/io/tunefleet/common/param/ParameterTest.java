package io.tunefleet.common.param;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ParameterTest {

    // ---- IntegerParameter --------------------------------------------------------------------

    @Test
    void integerSmallRangeIsEnumeratedWhole() {
        assertThat(new IntegerParameter("max-running-requests", 1, 8, false, 3).gridValues())
                .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
    }

    @Test
    void integerRangeOfExactly32IsStillEnumeratedButOf33IsSpaced() {
        assertThat(new IntegerParameter("n", 1, 32, false, 5).gridValues()).hasSize(32);
        assertThat(new IntegerParameter("n", 1, 33, false, 5).gridValues()).containsExactly(1L, 9L, 17L, 25L, 33L);
    }

    @Test
    void integerLargeLinearRangeIsEvenlySpacedIncludingBothEnds() {
        assertThat(new IntegerParameter("n", 0, 1000, false, 5).gridValues())
                .containsExactly(0L, 250L, 500L, 750L, 1000L);
    }

    @Test
    void integerLargeLogRangeIsGeometricallySpaced() {
        assertThat(new IntegerParameter("chunked-prefill-size", 1, 1024, true, 5).gridValues())
                .containsExactly(1L, 6L, 32L, 181L, 1024L);
        assertThat(new IntegerParameter("chunked-prefill-size", 2048, 16384, true, 4).gridValues())
                .containsExactly(2048L, 4096L, 8192L, 16384L);
    }

    @Test
    void integerLogGridDropsValuesThatRoundTogether() {
        List<Object> grid = new IntegerParameter("n", 1, 40, true, 30).gridValues();
        assertThat(grid).doesNotHaveDuplicates().isSortedAccordingTo((a, b) -> Long.compare((long) a, (long) b));
        assertThat(grid).first().isEqualTo(1L);
        assertThat(grid).last().isEqualTo(40L);
    }

    @Test
    void integerSamplesStayInBoundsAndReachBothEnds() {
        IntegerParameter p = new IntegerParameter("n", 3, 6, false, 5);
        SplittableRandom random = new SplittableRandom(1);
        Set<Object> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            Object v = p.sample(random);
            assertThat(v).isInstanceOf(Long.class);
            assertThat((long) v).isBetween(3L, 6L);
            seen.add(v);
        }
        assertThat(seen).containsExactlyInAnyOrder(3L, 4L, 5L, 6L);
    }

    @Test
    void integerLogSamplesStayInBoundsAndFavourSmallValues() {
        IntegerParameter p = new IntegerParameter("n", 1, 1024, true, 5);
        SplittableRandom random = new SplittableRandom(2);
        int belowGeometricMean = 0;
        for (int i = 0; i < 2000; i++) {
            long v = (long) p.sample(random);
            assertThat(v).isBetween(1L, 1024L);
            if (v < 32) {
                belowGeometricMean++;
            }
        }
        // log-uniform: about half below sqrt(1 * 1024) = 32; a uniform draw would put ~3% there
        assertThat(belowGeometricMean).isBetween(800, 1200);
    }

    @Test
    void integerSingleValueRangeSamplesThatValue() {
        assertThat(new IntegerParameter("n", 4, 4, true, 5).sample(new SplittableRandom(3))).isEqualTo(4L);
        assertThat(new IntegerParameter("n", 4, 4, false, 5).sample(new SplittableRandom(3))).isEqualTo(4L);
    }

    @Test
    void integerRejectsInvertedRangeNonPositiveLogAndTooFewGridPoints() {
        assertThatThrownBy(() -> new IntegerParameter("n", 5, 4, false, 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("n");
        assertThatThrownBy(() -> new IntegerParameter("n", 0, 4, true, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IntegerParameter("n", 1, 1000, false, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- ContinuousParameter -----------------------------------------------------------------

    @Test
    void continuousLinearGridIsEvenlySpacedAndRounded() {
        assertThat(new ContinuousParameter("mem-fraction-static", 0.5, 0.9, false, 5).gridValues())
                .containsExactly(0.5, 0.6, 0.7, 0.8, 0.9);
    }

    @Test
    void continuousLogGridIsGeometricallySpaced() {
        assertThat(new ContinuousParameter("x", 1, 10_000, true, 5).gridValues())
                .containsExactly(1.0, 10.0, 100.0, 1000.0, 10_000.0);
    }

    @Test
    void continuousLogGridOfSmallValuesStaysInBoundsWithoutRepeats() {
        ContinuousParameter p = new ContinuousParameter("x", 1e-6, 1e-2, true, 5);
        List<Object> grid = p.gridValues();
        assertThat(grid).doesNotHaveDuplicates().hasSize(5);
        for (Object v : grid) {
            assertThat((double) v).isBetween(1e-6, 1e-2);
        }
        assertThat(grid).containsExactly(1e-6, 1e-5, 1e-4, 1e-3, 1e-2);
    }

    @Test
    void continuousSamplesStayWithinBounds() {
        ContinuousParameter p = new ContinuousParameter("mem-fraction-static", 0.7, 0.95, false, 5);
        SplittableRandom random = new SplittableRandom(4);
        for (int i = 0; i < 2000; i++) {
            assertThat((double) p.sample(random)).isBetween(0.7, 0.95);
        }
    }

    @Test
    void continuousLogSamplesStayWithinBoundsEvenForTinyValues() {
        ContinuousParameter p = new ContinuousParameter("x", 1e-5, 1e-3, true, 5);
        SplittableRandom random = new SplittableRandom(6);
        int belowGeometricMean = 0;
        for (int i = 0; i < 2000; i++) {
            double v = (double) p.sample(random);
            assertThat(v).isBetween(1e-5, 1e-3);
            if (v < 1e-4) {
                belowGeometricMean++;
            }
        }
        assertThat(belowGeometricMean).isBetween(800, 1200);
    }

    @Test
    void continuousSamplesNeverLeaveBoundsThatAreNotOnTheRoundingGrid() {
        ContinuousParameter p = new ContinuousParameter("x", 0.12341, 0.12349, false, 5);
        SplittableRandom random = new SplittableRandom(8);
        for (int i = 0; i < 500; i++) {
            assertThat((double) p.sample(random)).isBetween(0.12341, 0.12349);
        }
        for (Object v : p.gridValues()) {
            assertThat((double) v).isBetween(0.12341, 0.12349);
        }
    }

    @Test
    void continuousSeededSamplingIsReproducible() {
        ContinuousParameter p = new ContinuousParameter("x", 0.1, 10, true, 5);
        List<Object> a = new ArrayList<>();
        List<Object> b = new ArrayList<>();
        SplittableRandom ra = new SplittableRandom(99);
        SplittableRandom rb = new SplittableRandom(99);
        for (int i = 0; i < 20; i++) {
            a.add(p.sample(ra));
            b.add(p.sample(rb));
        }
        assertThat(a).isEqualTo(b).doesNotHaveDuplicates();
    }

    @Test
    void continuousRejectsBadBounds() {
        assertThatThrownBy(() -> new ContinuousParameter("x", 1, 0.5, false, 5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ContinuousParameter("x", Double.NaN, 1, false, 5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ContinuousParameter("x", 0, 1, true, 5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ContinuousParameter("x", 0, 1, false, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- ChoiceParameter ---------------------------------------------------------------------

    @Test
    void choiceGridIsTheValuesInListedOrderAndSamplingReachesEachValue() {
        ChoiceParameter p = new ChoiceParameter("schedule-policy", List.of("lpm", "fcfs", "dfs-weight"));
        assertThat(p.gridValues()).containsExactly("lpm", "fcfs", "dfs-weight");
        SplittableRandom random = new SplittableRandom(10);
        Set<Object> seen = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            seen.add(p.sample(random));
        }
        assertThat(seen).containsExactlyInAnyOrder("lpm", "fcfs", "dfs-weight");
    }

    @Test
    void choiceCopiesItsValuesAndRejectsAnEmptyList() {
        List<Object> values = new ArrayList<>(List.of(1L, 2L));
        ChoiceParameter p = new ChoiceParameter("tp-size", values);
        values.add(8L);
        assertThat(p.gridValues()).containsExactly(1L, 2L);
        assertThatThrownBy(() -> new ChoiceParameter("tp-size", List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tp-size");
    }
}
