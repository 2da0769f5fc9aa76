package io.tunefleet.worker.node;

import io.tunefleet.worker.runtime.RuntimeSettings;
import java.time.Duration;
import java.util.List;

/**
 * What one worker node needs to know, independent of Spring.
 *
 * @param workerId          unique in the fleet; appears in claims, results, heartbeats and logs
 * @param host              the host name reported to the coordinator
 * @param pollInterval      longest wait between claim passes while nothing changes
 * @param heartbeatInterval how often the worker tells the coordinator it is alive
 * @param confirmTimeout    how long to wait for the broker to confirm a claim or a result
 * @param cleanGrace        how long GPUs may take after an experiment to show no process of ours and
 *                          memory back near baseline before they are quarantined
 * @param engineStopGrace   how long an engine gets after TERM before KILL; a worker that stops waits
 *                          that long and {@link #STOP_MARGIN} more for its runs ({@link #stopWait()})
 * @param brokerAddresses   every broker node the worker may use, {@code host:port}, in order; empty:
 *                          the one its connection factory names. Connections of the worker's own
 *                          (the drain token's) try them in turn, as the shared connection does
 */
public record WorkerSettings(
        String workerId,
        String host,
        Duration pollInterval,
        Duration heartbeatInterval,
        Duration confirmTimeout,
        Duration cleanGrace,
        Duration engineStopGrace,
        List<String> brokerAddresses) {

    /**
     * A safety net only: announcements and freed GPUs wake a claim pass at once. Each poll asks the
     * broker the length of every queue found empty, so a shorter one costs every idle worker that many
     * round trips: at 100 ms the fleet benchmark's {@code throughput} ran 12-28 % slower in six of seven
     * interleaved pairs.
     */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_CONFIRM_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_CLEAN_GRACE = Duration.ofSeconds(30);
    /**
     * What a stopping run needs beyond its engine's stop grace to report: the interrupt reaching it,
     * the benchmark's abort, the KILL and the container's removal, and its result's send.
     */
    public static final Duration STOP_MARGIN = Duration.ofSeconds(10);

    public WorkerSettings {
        brokerAddresses = List.copyOf(brokerAddresses);
    }

    /** Settings with the defaults for everything but the identity. */
    public static WorkerSettings defaults(String workerId, String host) {
        return new WorkerSettings(workerId, host, DEFAULT_POLL_INTERVAL, DEFAULT_HEARTBEAT_INTERVAL,
                DEFAULT_CONFIRM_TIMEOUT, DEFAULT_CLEAN_GRACE, RuntimeSettings.DEFAULT_STOP_GRACE, List.of());
    }

    /**
     * How long a stopping worker waits for its runs to stop their engines and report
     * {@code WORKER_STOPPED}: the engines' stop grace and {@link #STOP_MARGIN}. Shorter, and an engine
     * still in its grace would be left running, its run unreported.
     */
    public Duration stopWait() {
        return engineStopGrace.plus(STOP_MARGIN);
    }

    public WorkerSettings withPollInterval(Duration interval) {
        return new WorkerSettings(workerId, host, interval, heartbeatInterval, confirmTimeout, cleanGrace,
                engineStopGrace, brokerAddresses);
    }

    public WorkerSettings withHeartbeatInterval(Duration interval) {
        return new WorkerSettings(workerId, host, pollInterval, interval, confirmTimeout, cleanGrace,
                engineStopGrace, brokerAddresses);
    }
}
