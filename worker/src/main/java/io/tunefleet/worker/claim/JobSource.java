package io.tunefleet.worker.claim;

import com.rabbitmq.client.GetResponse;
import io.tunefleet.common.message.ClaimMessage;
import io.tunefleet.common.message.JobMessage;
import io.tunefleet.common.message.MessageCodec;
import io.tunefleet.common.message.Schema;
import io.tunefleet.common.message.Topology;
import io.tunefleet.common.message.UndecodableMessageException;
import io.tunefleet.worker.gpu.GpuReservation;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * Takes one job from {@code jobs.gpus.N} for GPUs already reserved: get without auto-ack, announce
 * the claim (confirmed), then ack. The job is off the broker only once the coordinator will hear of
 * the claim; from then on the coordinator's lease, not the broker's ack timeout, tracks it.
 */
final class JobSource {

    private static final Logger log = LoggerFactory.getLogger(JobSource.class);

    private final RabbitTemplate template;
    private final WorkerPublisher publisher;
    private final String workerId;
    private final String host;
    private final Clock clock;

    JobSource(RabbitTemplate template, WorkerPublisher publisher, String workerId, String host, Clock clock) {
        this.template = template;
        this.publisher = publisher;
        this.workerId = workerId;
        this.host = host;
        this.clock = clock;
    }

    /** Declares the job queues this worker reads, with the same arguments the coordinator uses. */
    void declareQueues(int maxGpus) {
        RabbitAdmin admin = new RabbitAdmin(template);
        for (int gpus = 1; gpus <= maxGpus; gpus++) {
            admin.declareQueue(new Queue(Topology.jobQueue(gpus), true));
        }
    }

    /** The next job for exactly {@code reservation.indices().size()} GPUs; empty when the queue is empty. */
    Optional<JobMessage> take(GpuReservation reservation) {
        int gpus = reservation.indices().size();
        String queue = Topology.jobQueue(gpus);
        return Optional.ofNullable(template.execute(channel -> {
            GetResponse response = channel.basicGet(queue, false);
            if (response == null) {
                return null;
            }
            long tag = response.getEnvelope().getDeliveryTag();
            JobMessage job;
            try {
                job = MessageCodec.decodeJob(response.getBody());
            } catch (UndecodableMessageException e) {
                log.warn("worker {}: rejecting an unreadable job on {}, it will not be redelivered: {}", workerId,
                        queue, e.getMessage());
                channel.basicReject(tag, false);
                return null;
            }
            if (job.gpus() != gpus) {
                log.warn("task {} experiment {}: job asks for {} GPUs but sat in {}; rejected", job.taskId(),
                        job.experimentId(), job.gpus(), queue);
                channel.basicReject(tag, false);
                return null;
            }
            try {
                publisher.sendConfirmed(new ClaimMessage(Schema.VERSION, workerId, host, job.taskId(),
                        job.experimentId(), job.attempt(), reservation.indices(), clock.millis()));
            } catch (RuntimeException e) {
                log.warn("task {} experiment {}: claim not confirmed ({}); job returned to the queue",
                        job.taskId(), job.experimentId(), e.getMessage());
                channel.basicNack(tag, false, true);
                return null;
            }
            channel.basicAck(tag, false);
            return job;
        }));
    }
}
