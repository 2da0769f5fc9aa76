package io.tunefleet.coordinator.config;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings under {@code tunefleet.coordinator}.
 *
 * @param database           path of the SQLite file (WAL mode; keep it on a local disk)
 * @param dispatchTick       how often every running task is re-checked: unpublished jobs retried,
 *                           unschedulable experiments failed, finished tasks closed
 * @param workerTimeout      a worker not heard from for this long no longer counts as part of the fleet
 * @param unschedulableAfter a queued experiment needing more GPUs than the largest live worker has
 *                           fails as UNSCHEDULABLE after waiting this long
 * @param publishTimeout     how long to wait for the broker to confirm a published job
 * @param resultGrace        a running attempt with no result by its start plus the task's
 *                           timeout_per_iteration plus this grace is marked TIMED_OUT
 */
@Validated
@ConfigurationProperties("tunefleet.coordinator")
public record CoordinatorProperties(
        @DefaultValue(DEFAULT_DATABASE) @NotNull String database,
        @DefaultValue(DEFAULT_DISPATCH_TICK) @NotNull Duration dispatchTick,
        @DefaultValue(DEFAULT_WORKER_TIMEOUT) @NotNull Duration workerTimeout,
        @DefaultValue(DEFAULT_UNSCHEDULABLE_AFTER) @NotNull Duration unschedulableAfter,
        @DefaultValue(DEFAULT_PUBLISH_TIMEOUT) @NotNull Duration publishTimeout,
        @DefaultValue(DEFAULT_RESULT_GRACE) @NotNull Duration resultGrace) {

    public static final String DEFAULT_DATABASE = "tunefleet.db";
    public static final String DEFAULT_DISPATCH_TICK = "1s";
    public static final String DEFAULT_WORKER_TIMEOUT = "30s";
    public static final String DEFAULT_UNSCHEDULABLE_AFTER = "30s";
    public static final String DEFAULT_PUBLISH_TIMEOUT = "10s";
    public static final String DEFAULT_RESULT_GRACE = "60s";

    public CoordinatorProperties {
        requirePositive(dispatchTick, "dispatch-tick");
        requirePositive(workerTimeout, "worker-timeout");
        requirePositive(unschedulableAfter, "unschedulable-after");
        requirePositive(publishTimeout, "publish-timeout");
        requirePositive(resultGrace, "result-grace");
    }

    private static void requirePositive(Duration d, String name) {
        if (d != null && (d.isNegative() || d.isZero())) {
            throw new IllegalArgumentException("tunefleet.coordinator." + name + " must be positive, got " + d);
        }
    }
}
