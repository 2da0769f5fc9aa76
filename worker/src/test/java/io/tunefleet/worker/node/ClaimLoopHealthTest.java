package io.tunefleet.worker.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;

/** The liveness probe's claim-loop part: up while the loop runs, down with the reason once it died. */
class ClaimLoopHealthTest {

    @Test
    void downOnceTheClaimLoopDied() {
        AtomicBoolean claiming = new AtomicBoolean(true);
        ClaimLoopHealth health = new ClaimLoopHealth(claiming::get);
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);

        claiming.set(false);

        assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.health().getDetails()).containsEntry("reason", "the claim loop died; this worker takes no more jobs");
    }
}
