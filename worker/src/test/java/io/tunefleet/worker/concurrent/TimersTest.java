package io.tunefleet.worker.concurrent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TimersTest {

    @Test
    void aCancelledDeadlineIsForgottenAtOnceNotWhenItsTimeComes() {
        ScheduledThreadPoolExecutor timer = Timers.daemon("test-timeouts");
        try {
            for (int i = 0; i < 1_000; i++) {
                ScheduledFuture<?> timeout = timer.schedule(() -> { }, 1, TimeUnit.HOURS);
                timeout.cancel(false);
            }
            assertThat(timer.getQueue()).isEmpty();
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void aDeadlineNotCancelledStillFiresOnADaemonThreadOfThatName() throws Exception {
        ScheduledThreadPoolExecutor timer = Timers.daemon("test-timeouts");
        try {
            CountDownLatch fired = new CountDownLatch(1);
            String[] thread = new String[1];
            boolean[] daemon = new boolean[1];
            timer.schedule(() -> {
                thread[0] = Thread.currentThread().getName();
                daemon[0] = Thread.currentThread().isDaemon();
                fired.countDown();
            }, 10, TimeUnit.MILLISECONDS);

            assertThat(fired.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(thread[0]).isEqualTo("test-timeouts");
            assertThat(daemon[0]).isTrue();
        } finally {
            timer.shutdownNow();
        }
    }
}
