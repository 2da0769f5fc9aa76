package io.tunefleet.coordinator.metrics;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings under {@code tunefleet.metrics} (coordinator).
 *
 * @param refresh     how often the gauges read from the database and the broker are refreshed:
 *                    experiments in flight, per-task progress and best objective, queue depths,
 *                    broker connection, workers
 * @param taskGauges  most tasks that get per-task gauges (tag {@code task} = the task's name): the
 *                    running ones first, then the most recently finished; keeps the tag bounded
 * @param finishedFor how long a finished task keeps its per-task gauges, so a dashboard shows its
 *                    final progress and best objective
 */
@Validated
@ConfigurationProperties("tunefleet.metrics")
public record MetricsProperties(
        @DefaultValue(DEFAULT_REFRESH) @NotNull Duration refresh,
        @DefaultValue(DEFAULT_TASK_GAUGES) int taskGauges,
        @DefaultValue(DEFAULT_FINISHED_FOR) @NotNull Duration finishedFor) {

    public static final String DEFAULT_REFRESH = "5s";
    public static final String DEFAULT_TASK_GAUGES = "10";
    public static final String DEFAULT_FINISHED_FOR = "1h";

    public MetricsProperties {
        if (refresh != null && (refresh.isNegative() || refresh.isZero())) {
            throw new IllegalArgumentException("tunefleet.metrics.refresh must be positive, got " + refresh);
        }
        if (taskGauges < 0 || taskGauges > 100) {
            throw new IllegalArgumentException("tunefleet.metrics.task-gauges must be between 0 and 100, got "
                    + taskGauges);
        }
        if (finishedFor != null && finishedFor.isNegative()) {
            throw new IllegalArgumentException("tunefleet.metrics.finished-for must not be negative, got "
                    + finishedFor);
        }
    }
}
