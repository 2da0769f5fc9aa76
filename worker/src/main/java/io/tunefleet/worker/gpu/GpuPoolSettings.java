package io.tunefleet.worker.gpu;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of a {@link GpuPool}; rejects bad values at once.
 *
 * @param foreignBusyThresholdMib a GPU not reserved by us whose processes (or, with none visible,
 *                                whose memory in use) exceed this is FOREIGN_BUSY and not handed out
 * @param baselineToleranceMib    after an experiment a GPU counts as clean when its memory in use is
 *                                within this of what it was when reserved
 * @param cleanPollInterval       how often {@link GpuPool#releaseWhenClean} asks nvidia-smi again
 */
public record GpuPoolSettings(long foreignBusyThresholdMib, long baselineToleranceMib, Duration cleanPollInterval) {

    public static final long DEFAULT_FOREIGN_BUSY_THRESHOLD_MIB = 1024;
    public static final long DEFAULT_BASELINE_TOLERANCE_MIB = 512;
    public static final Duration DEFAULT_CLEAN_POLL_INTERVAL = Duration.ofSeconds(1);

    public GpuPoolSettings {
        if (foreignBusyThresholdMib < 0) {
            throw new IllegalArgumentException("foreignBusyThresholdMib must be >= 0, got " + foreignBusyThresholdMib);
        }
        if (baselineToleranceMib < 0) {
            throw new IllegalArgumentException("baselineToleranceMib must be >= 0, got " + baselineToleranceMib);
        }
        Objects.requireNonNull(cleanPollInterval, "cleanPollInterval");
        if (cleanPollInterval.isNegative() || cleanPollInterval.isZero()) {
            throw new IllegalArgumentException("cleanPollInterval must be positive, got " + cleanPollInterval);
        }
    }

    public static GpuPoolSettings defaults() {
        return new GpuPoolSettings(DEFAULT_FOREIGN_BUSY_THRESHOLD_MIB, DEFAULT_BASELINE_TOLERANCE_MIB,
                DEFAULT_CLEAN_POLL_INTERVAL);
    }

    public GpuPoolSettings withForeignBusyThresholdMib(long mib) {
        return new GpuPoolSettings(mib, baselineToleranceMib, cleanPollInterval);
    }

    public GpuPoolSettings withBaselineToleranceMib(long mib) {
        return new GpuPoolSettings(foreignBusyThresholdMib, mib, cleanPollInterval);
    }

    public GpuPoolSettings withCleanPollInterval(Duration interval) {
        return new GpuPoolSettings(foreignBusyThresholdMib, baselineToleranceMib, interval);
    }
}
