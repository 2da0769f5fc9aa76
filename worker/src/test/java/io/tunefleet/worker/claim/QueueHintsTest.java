package io.tunefleet.worker.claim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class QueueHintsTest {

    @Test
    void everyQueueIsWorthAskingUntilFoundEmpty() {
        QueueHints hints = new QueueHints(8);
        for (int g = 1; g <= 8; g++) {
            assertThat(hints.worthAsking(g)).isTrue();
        }
        hints.foundEmpty(4, hints.generation(4));
        assertThat(hints.worthAsking(4)).isFalse();
        assertThat(hints.worthAsking(2)).isTrue();
    }

    @Test
    void anAnnouncementMakesOnlyItsQueuesWorthAskingAgain() {
        QueueHints hints = new QueueHints(8);
        for (int g = 1; g <= 8; g++) {
            hints.foundEmpty(g, hints.generation(g));
        }
        hints.mayHaveJobs(List.of(2, 8), 0, 0);
        assertThat(hints.worthAsking(2)).isTrue();
        assertThat(hints.worthAsking(8)).isTrue();
        assertThat(hints.worthAsking(1)).isFalse();
        hints.mayHaveJobs(List.of(), 0, 0);
        assertThat(hints.worthAsking(1)).isTrue();
    }

    @Test
    void anAnnouncementWhileAskingIsNotOverwrittenByTheEmptyAnswer() {
        QueueHints hints = new QueueHints(4);
        long before = hints.generation(1);
        hints.mayHaveJobs(List.of(1), 0, 0); // lands between reading the generation and the broker's "empty"
        hints.foundEmpty(1, before);
        assertThat(hints.worthAsking(1)).isTrue();
    }

    @Test
    void aQueueOnlyThePollMadeWorthAskingIsCheckedBeforeGpusAreReserved() {
        QueueHints hints = new QueueHints(8);
        assertThat(hints.onlyPolled(1)).as("never asked yet: asked the direct way").isFalse();
        hints.foundEmpty(1, hints.generation(1));
        hints.pollDue();
        assertThat(hints.worthAsking(1)).isTrue();
        assertThat(hints.onlyPolled(1)).isTrue();

        hints.mayHaveJobs(List.of(1), 0, 0);
        hints.pollDue();
        assertThat(hints.onlyPolled(1)).as("an announcement not yet answered outlives a poll").isFalse();
        hints.foundEmpty(1, hints.generation(1));
        hints.pollDue();
        assertThat(hints.onlyPolled(1)).isTrue();

        hints.foundEmpty(2, hints.generation(2));
        hints.mayHaveJobs(List.of(), 0, 0); // an older coordinator's announcement names no queue
        assertThat(hints.onlyPolled(2)).isFalse();
    }

    @Test
    void queuesAreAskedWholeNodeFirstThenOldestJobFirstThenTheRestLargestFirst() {
        QueueHints hints = new QueueHints(8);
        assertThat(hints.askingOrder()).containsExactly(8, 7, 6, 5, 4, 3, 2, 1);

        hints.mayHaveJobs(List.of(1, 4, 16, 2), 0, 0);
        assertThat(hints.askingOrder()).as("the whole node first, then oldest job first")
                .containsExactly(8, 1, 4, 2, 7, 6, 5, 3);

        hints.mayHaveJobs(List.of(), 0, 0);
        assertThat(hints.askingOrder()).as("an announcement without counts keeps the order").startsWith(8, 1, 4, 2);
    }

    @Test
    void theOldestJobsSizeAndWaitComeFromTheLastAnnouncement() {
        QueueHints hints = new QueueHints(8);
        assertThat(hints.oldestGpus()).isZero();
        assertThat(hints.oldestWaitMs(5_000)).isZero();

        hints.mayHaveJobs(List.of(8, 1), 700, 10_000);

        assertThat(hints.oldestGpus()).isEqualTo(8);
        assertThat(hints.oldestWaitMs(10_500)).isEqualTo(1_200);

        hints.foundEmpty(1, hints.generation(1));
        assertThat(hints.oldestGpus()).as("another queue found empty changes nothing").isEqualTo(8);
        hints.foundEmpty(8, hints.generation(8));
        assertThat(hints.oldestGpus()).as("the oldest job's queue found empty: it is gone").isZero();
        assertThat(hints.oldestWaitMs(20_000)).isZero();
        assertThat(hints.askingOrder()).startsWith(8, 1);
    }

    @Test
    void countsOutsideThePoolAreIgnored() {
        QueueHints hints = new QueueHints(2);
        hints.mayHaveJobs(List.of(0, 3, 16), 0, 0);
        hints.foundEmpty(1, hints.generation(1));
        assertThat(hints.worthAsking(1)).isFalse();
    }
}
