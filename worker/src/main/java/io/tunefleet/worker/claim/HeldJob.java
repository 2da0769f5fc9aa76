package io.tunefleet.worker.claim;

import io.tunefleet.common.message.ClaimMessage;
import io.tunefleet.common.message.JobMessage;
import io.tunefleet.common.message.Schema;
import io.tunefleet.worker.gpu.GpuReservation;

/**
 * A job taken off its queue for GPUs reserved for it, and not acked yet: until then the broker keeps
 * it for this worker, and hands it to another should this worker's channel close. It is acked once
 * its claim is confirmed ({@link ClaimAnnouncer}, a moment after its run started), or its result is,
 * which carries the claim when the run ended before the claim went out; or at once when the
 * coordinator wants no result for it. Shared by the claim loop, the run, the announcer and the
 * result outbox, hence synchronized; never while it holds the channel's lock.
 */
final class HeldJob {

    private final JobMessage job;
    private final GpuReservation reservation;
    private final long takenAtMs;
    private final JobChannel channel;
    private final JobChannel.Delivery delivery;
    private boolean announced;
    private boolean ended;
    private boolean settled;

    HeldJob(JobMessage job, GpuReservation reservation, long takenAtMs, JobChannel channel,
            JobChannel.Delivery delivery) {
        this.job = job;
        this.reservation = reservation;
        this.takenAtMs = takenAtMs;
        this.channel = channel;
        this.delivery = delivery;
    }

    JobMessage job() {
        return job;
    }

    GpuReservation reservation() {
        return reservation;
    }

    /** Its claim, to announce now, timed when the job was taken; null once announced or once its run ended. */
    synchronized ClaimMessage claimToAnnounce(String workerId, String host) {
        return announced || ended ? null : new ClaimMessage(Schema.VERSION, workerId, host, job.taskId(),
                job.experimentId(), job.attempt(), reservation.indices(), takenAtMs);
    }

    /** Its claim was confirmed: the coordinator's lease tracks the run from now on, and the job is acked. */
    void announced() {
        synchronized (this) {
            announced = true;
        }
        ack();
    }

    /**
     * Its run ended: no claim is announced from now on.
     *
     * @return when the job was taken, for the result to carry its claim; null when the claim went out
     */
    synchronized Long ended() {
        ended = true;
        return announced ? null : takenAtMs;
    }

    /** Acks the job, once: its claim or its result was confirmed, or nobody wants its result. */
    void ack() {
        if (settle()) {
            channel.ack(delivery); // outside this job's lock: the channel has its own
        }
    }

    /** Hands the job back to its queue, unrun and unannounced, for any worker to take. */
    void handBack() {
        ended();
        if (settle()) {
            channel.requeue(delivery);
        }
    }

    /** True the first time only: a delivery is settled once, as a second ack would close the channel. */
    private synchronized boolean settle() {
        boolean first = !settled;
        settled = true;
        return first;
    }
}
