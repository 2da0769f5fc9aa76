package io.tunefleet.worker.gpu;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock tests move by hand: stopped at a start, or running with the system clock. */
public final class SettableClock extends Clock {

    /** What it counts from: a fixed instant, or the system clock. */
    private final Clock base;
    private volatile Duration advanced = Duration.ZERO;

    /** Stopped at {@code start} until moved. */
    public SettableClock(Instant start) {
        this(Clock.fixed(start, ZoneOffset.UTC));
    }

    private SettableClock(Clock base) {
        this.base = base;
    }

    /** The system clock, plus what it was moved by: a run can take a given time without the test waiting. */
    public static SettableClock running() {
        return new SettableClock(Clock.systemUTC());
    }

    public void advance(Duration d) {
        advanced = advanced.plus(d);
    }

    @Override
    public Instant instant() {
        return base.instant().plus(advanced);
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
