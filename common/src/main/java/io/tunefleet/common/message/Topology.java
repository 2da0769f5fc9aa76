package io.tunefleet.common.message;

/**
 * Names on the broker, shared by coordinator and workers. Queues are durable and declared with no
 * arguments, so RabbitMQ and the embedded Qpid broker accept the same topology.
 */
public final class Topology {

    /** Jobs wait in one queue per GPU count, so a worker asks only for jobs that fit what it reserved. */
    public static final String JOB_QUEUE_PREFIX = "jobs.gpus.";
    /** Claims and results, worker to coordinator; one queue keeps a worker's claim ahead of its result. */
    public static final String RESULTS_QUEUE = "tunefleet.results";
    /** Worker heartbeats (transient, expiring). */
    public static final String HEARTBEATS_QUEUE = "tunefleet.heartbeats";
    /**
     * Messages no reader can use (unparseable, unknown schema version, failing validation), moved
     * here once by the service that read them, with the reason in the {@link #REASON_HEADER} header.
     */
    public static final String DEAD_LETTER_QUEUE = "tunefleet.dead-letters";
    public static final String REASON_HEADER = "x-tunefleet-reason";
    public static final String SOURCE_QUEUE_HEADER = "x-tunefleet-source-queue";
    /** Coordinator to every worker (fanout): cancel a task, abort a stale attempt. */
    public static final String CONTROL_EXCHANGE = "tunefleet.control";

    private Topology() {
    }

    public static String jobQueue(int gpus) {
        if (gpus < 1) {
            throw new IllegalArgumentException("GPU count must be positive, got " + gpus);
        }
        return JOB_QUEUE_PREFIX + gpus;
    }
}
