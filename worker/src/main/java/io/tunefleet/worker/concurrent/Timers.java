package io.tunefleet.worker.concurrent;

import java.util.concurrent.ScheduledThreadPoolExecutor;

/** Single-thread timers for deadlines that are usually cancelled before they fire. */
public final class Timers {

    private Timers() {
    }

    /**
     * A timer on one daemon thread named {@code threadName} that forgets a task as soon as it is
     * cancelled. The JDK's default keeps a cancelled task queued until its time comes: a worker sets
     * a timeout per experiment (an hour, say) and cancels it when the run ends, so at hundreds of
     * experiments a second it would hold every finished run for the rest of the hour.
     */
    public static ScheduledThreadPoolExecutor daemon(String threadName) {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, DaemonThreads.named(threadName));
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }
}
