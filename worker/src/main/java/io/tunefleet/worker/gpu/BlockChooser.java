package io.tunefleet.worker.gpu;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;

/**
 * Which GPUs to take out of the available ones: the lowest-index run of consecutive indices when
 * there is one (neighbours usually share the faster links), else simply the lowest indices.
 */
final class BlockChooser {

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
}
