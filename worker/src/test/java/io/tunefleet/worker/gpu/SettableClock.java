package io.tunefleet.worker.gpu;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock tests move by hand: stopped at a start, or running with the system clock. */
public final class SettableClock extends Clock {

    /** Null: runs with the system clock. */
    private final Instant start;
    private volatile Duration advanced = Duration.ZERO;

    /** Stopped at {@code start} until moved. */
    public SettableClock(Instant start) {
        this.start = start;
    }

    private SettableClock() {
        this.start = null;
    }

    /** The system clock, plus what it was moved by: a run can take a given time without the test waiting. */
    public static SettableClock running() {
        return new SettableClock();
    }

    public void advance(Duration d) {
        advanced = advanced.plus(d);
    }

    @Override
    public Instant instant() {
        return (start == null ? Instant.now() : start).plus(advanced);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
