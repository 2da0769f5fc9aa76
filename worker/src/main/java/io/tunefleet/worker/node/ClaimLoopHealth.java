package io.tunefleet.worker.node;

import java.util.function.BooleanSupplier;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Down once the claim loop has died: the process still serves its endpoints but takes no more jobs,
 * and only a restart brings it back. Part of the liveness group, which leaves the broker out, so that
 * Kubernetes restarts such a worker but not every worker during a broker outage.
 */
public final class ClaimLoopHealth implements HealthIndicator {

    private final BooleanSupplier claiming;

    /** @param claiming whether the claim loop still runs ({@link WorkerNode#claiming}) */
    public ClaimLoopHealth(BooleanSupplier claiming) {
        this.claiming = claiming;
    }

    @Override
    public Health health() {
        return claiming.getAsBoolean() ? Health.up().build()
                : Health.down().withDetail("reason", "the claim loop died; this worker takes no more jobs").build();
    }
}
