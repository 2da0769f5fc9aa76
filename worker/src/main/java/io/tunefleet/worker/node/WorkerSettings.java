package io.tunefleet.worker.node;

import java.time.Duration;

/**
 * What one worker node needs to know, independent of Spring.
 *
 * @param workerId          unique in the fleet; appears in claims, results, heartbeats and logs
 * @param host              the host name reported to the coordinator
 * @param pollInterval      longest wait between claim passes while nothing changes
 * @param heartbeatInterval how often the worker tells the coordinator it is alive
 * @param confirmTimeout    how long to wait for the broker to confirm a claim or a result
 */
public record WorkerSettings(
        String workerId,
        String host,
        Duration pollInterval,
        Duration heartbeatInterval,
        Duration confirmTimeout) {

    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(100);
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_CONFIRM_TIMEOUT = Duration.ofSeconds(10);
}
