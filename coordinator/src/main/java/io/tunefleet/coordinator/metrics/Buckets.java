package io.tunefleet.coordinator.metrics;

import java.time.Duration;

/** Histogram buckets for tunefleet's timers: from tens of milliseconds to an hour, a fixed, small set. */
public final class Buckets {

    /** The bucket bounds (Prometheus {@code le}) every tunefleet timer publishes. */
    public static final Duration[] DURATIONS = {
            Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2),
            Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(30), Duration.ofHours(1)};

    private Buckets() {
    }
}
