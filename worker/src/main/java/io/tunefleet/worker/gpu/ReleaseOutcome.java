package io.tunefleet.worker.gpu;

import java.util.List;
import java.util.Map;

/**
 * What {@link GpuPool#releaseWhenClean} did.
 *
 * @param freed       GPU indices that came back clean and are free again
 * @param quarantined GPU indices that did not come back clean within the grace period, with the reason
 */
public record ReleaseOutcome(List<Integer> freed, Map<Integer, String> quarantined) {

    public ReleaseOutcome {
        freed = List.copyOf(freed);
        quarantined = Map.copyOf(quarantined);
    }

    public boolean clean() {
        return quarantined.isEmpty();
    }
}
