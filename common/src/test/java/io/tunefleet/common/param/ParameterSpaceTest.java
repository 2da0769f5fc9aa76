package io.tunefleet.common.param;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ParameterSpaceTest {

    private static final ParameterSpace TWO_BY_THREE = new ParameterSpace(List.of(
            new ChoiceParameter("tp-size", List.of(1L, 2L)),
            new ChoiceParameter("schedule-policy", List.of("lpm", "fcfs", "random"))));

    private static final ParameterSpace MIXED = new ParameterSpace(List.of(
            new ChoiceParameter("tp-size", List.of(1L, 2L, 4L)),
            new ContinuousParameter("mem-fraction-static", 0.8, 0.9, false, 3),
            new ChoiceParameter("enable-torch-compile", List.of(true, false)),
            new IntegerParameter("max-running-requests", 8, 11, false, 5)));

    @Test
    void gridSizeIsTheProductOfEveryParametersGridValues() {
        assertThat(TWO_BY_THREE.gridSize()).isEqualTo(6);
        assertThat(MIXED.gridSize()).isEqualTo(3 * 3 * 2 * 4);
    }

    @Test
    void emptySpaceHasExactlyOnePointWithNoValues() {
        ParameterSpace empty = new ParameterSpace(List.of());
        assertThat(empty.gridSize()).isEqualTo(1);
        assertThat(empty.gridPoint(0).values()).isEmpty();
    }

    @Test
    void gridSizeSaturatesInsteadOfOverflowing() {
        List<Parameter> huge = new ArrayList<>();
        List<Object> hundred = IntStream.range(0, 100).mapToObj(i -> (Object) (long) i).toList();
        for (int i = 0; i < 10; i++) {
            huge.add(new ChoiceParameter("p" + i, hundred)); // 100^10 = 1e20 > Long.MAX_VALUE
        }
        assertThat(new ParameterSpace(huge).gridSize()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void gridPointsRunInRowMajorOrderWithTheLastParameterFastest() {
        List<String> keys = new ArrayList<>();
        for (long i = 0; i < TWO_BY_THREE.gridSize(); i++) {
            keys.add(TWO_BY_THREE.gridPoint(i).key());
        }
        assertThat(keys).containsExactly(
                "schedule-policy=lpm,tp-size=1",
                "schedule-policy=fcfs,tp-size=1",
                "schedule-policy=random,tp-size=1",
                "schedule-policy=lpm,tp-size=2",
                "schedule-policy=fcfs,tp-size=2",
                "schedule-policy=random,tp-size=2");
    }

    @Test
    void gridPointIsDeterministicAcrossCallsAndEqualSpaces() {
        ParameterSpace copy = new ParameterSpace(new ArrayList<>(MIXED.parameters()));
        for (long i = 0; i < MIXED.gridSize(); i++) {
            assertThat(MIXED.gridPoint(i)).isEqualTo(MIXED.gridPoint(i)).isEqualTo(copy.gridPoint(i));
        }
    }

    @Test
    void gridCoversTheFullCartesianProductWithoutRepeats() {
        Set<String> expected = new HashSet<>();
        for (Object tp : List.of(1L, 2L, 4L)) {
            for (Object mem : List.of(0.8, 0.85, 0.9)) {
                for (Object compile : List.of(true, false)) {
                    for (Object running : List.of(8L, 9L, 10L, 11L)) {
                        expected.add(ParameterSet.of(Map.of("tp-size", tp, "mem-fraction-static", mem,
                                "enable-torch-compile", compile, "max-running-requests", running)).key());
                    }
                }
            }
        }
        List<String> visited = new ArrayList<>();
        for (long i = 0; i < MIXED.gridSize(); i++) {
            visited.add(MIXED.gridPoint(i).key());
        }
        assertThat(visited).doesNotHaveDuplicates().hasSize(72);
        assertThat(visited).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void gridPointOutsideTheGridIsRejectedRatherThanRepeatingAConfig() {
        assertThatThrownBy(() -> TWO_BY_THREE.gridPoint(6)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> TWO_BY_THREE.gridPoint(-1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void seededSamplingIsReproducible() {
        List<String> first = sampleKeys(MIXED, 1234, 50);
        List<String> second = sampleKeys(MIXED, 1234, 50);
        List<String> otherSeed = sampleKeys(MIXED, 4321, 50);

        assertThat(first).isEqualTo(second);
        assertThat(first).isNotEqualTo(otherSeed);
    }

    @Test
    void sampledConfigsHaveEveryParameterAndOnlyAllowedValues() {
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 500; i++) {
            ParameterSet s = MIXED.sample(random);
            assertThat(s.values().keySet()).containsExactlyInAnyOrder(
                    "tp-size", "mem-fraction-static", "enable-torch-compile", "max-running-requests");
            assertThat(s.get("tp-size")).isIn(1L, 2L, 4L);
            assertThat((double) s.get("mem-fraction-static")).isBetween(0.8, 0.9);
            assertThat(s.get("enable-torch-compile")).isIn(true, false);
            assertThat((long) s.get("max-running-requests")).isBetween(8L, 11L);
        }
    }

    private static List<String> sampleKeys(ParameterSpace space, long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add(space.sample(random).key());
        }
        return keys;
    }

    @Test
    void keyReadsBackToTheSameConfigurationWithItsValueTypes() {
        ParameterSpace space = new ParameterSpace(List.of(
                new ChoiceParameter("tp-size", List.of(1L, 2L, 4L)),
                new ChoiceParameter("policy", List.of("fcfs", "a=b")),
                new ChoiceParameter("compile", List.of(true, false)),
                new IntegerParameter("chunk", 512, 8192, true, 5),
                new ContinuousParameter("mem", 0.5, 0.95, false, 5)));
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 200; i++) {
            ParameterSet config = space.sample(random);
            assertThat(space.fromKey(config.key())).contains(config);
        }
        assertThat(space.fromKey("tp-size=3,policy=fcfs,compile=true,chunk=512,mem=0.5")).isEmpty();
        assertThat(space.fromKey("tp-size=1")).isEmpty();
        assertThat(space.fromKey("chunk=x,compile=true,mem=0.5,policy=fcfs,tp-size=1")).isEmpty();
    }
}
