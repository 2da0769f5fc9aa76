package io.tunefleet.worker.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class BlockChooserTest {

    @Test
    void takesTheLowestConsecutiveBlock() {
        assertThat(BlockChooser.choose(new TreeSet<>(List.of(0, 2, 3, 5, 6, 7)), 2)).containsExactly(2, 3);
        assertThat(BlockChooser.choose(new TreeSet<>(List.of(0, 2, 3, 5, 6, 7)), 3)).containsExactly(5, 6, 7);
        assertThat(BlockChooser.choose(new TreeSet<>(List.of(0, 1, 2, 3, 4, 5, 6, 7)), 4)).containsExactly(0, 1, 2, 3);
    }

    @Test
    void fallsBackToTheLowestIndicesWhenNoBlockIsLongEnough() {
        assertThat(BlockChooser.choose(new TreeSet<>(List.of(0, 2, 3, 5, 6, 7)), 4)).containsExactly(0, 2, 3, 5);
        assertThat(BlockChooser.choose(new TreeSet<>(List.of(1, 3, 5)), 2)).containsExactly(1, 3);
    }

    @Test
    void givesNothingWhenTooFewAreAvailable() {
        assertThat(BlockChooser.choose(new TreeSet<>(List.of(1, 3)), 3)).isEmpty();
        assertThat(BlockChooser.choose(new TreeSet<>(), 1)).isEmpty();
    }
}
