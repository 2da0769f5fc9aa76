package io.tunefleet.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TrafficScenarioTest {

    @Test
    void fixedScenarioGivesExactLengths() {
        assertThat(TrafficScenario.parse("D(100,50)").sample(new Random(1))).containsExactly(100, 50);
    }

    @Test
    void uniformScenarioStaysWithinItsBoundsAndReachesBoth() {
        TrafficScenario u = TrafficScenario.parse("U(10,12)/(1,3)");
        Random random = new Random(3);
        java.util.List<int[]> list = IntStream.range(0, 300).mapToObj(i -> u.sample(random)).toList();
        int[][] draws = list.toArray(new int[0][]);

        assertThat(list).allSatisfy(d -> {
            assertThat(d[0]).isBetween(10, 12);
            assertThat(d[1]).isBetween(1, 3);
        });
        assertThat(IntStream.range(0, 300).map(i -> draws[i][0]).distinct().sorted().toArray())
                .containsExactly(10, 11, 12);
    }

    @Test
    void normalScenarioIsSeededAndCentredOnItsMean() {
        TrafficScenario n = TrafficScenario.parse("N(480,240)/(300,150)");
        Random random = new Random(9);
        double meanIn = IntStream.range(0, 2000).map(i -> n.sample(random)[0]).average().orElseThrow();

        assertThat(meanIn).isBetween(460.0, 500.0);
        assertThat(n.sample(new Random(5))).containsExactly(n.sample(new Random(5)));
    }

    @Test
    void promptsHaveFourCharactersPerRequestedToken() {
        assertThat(Prompts.of(25, new Random(1))).hasSize(100);
    }

    @Test
    void unknownNotationIsRejected() {
        assertThatThrownBy(() -> TrafficScenario.parse("E(1,2)")).hasMessageContaining("E(1,2)");
        assertThatThrownBy(() -> TrafficScenario.parse("U(5,1)/(1,2)")).hasMessageContaining("minimum");
    }
}
