package io.tunefleet.worker.claim;

import com.rabbitmq.client.GetResponse;
import io.tunefleet.common.message.ClaimMessage;
import io.tunefleet.common.message.JobMessage;
import io.tunefleet.common.message.JobValidation;
import io.tunefleet.common.message.MessageCodec;
import io.tunefleet.common.message.Schema;
import io.tunefleet.common.message.Topology;
import io.tunefleet.common.message.UndecodableMessageException;
import io.tunefleet.worker.gpu.GpuReservation;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.LongPredicate;
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
    private final LongPredicate cancelledTask;
    private final QueueHints hints;

    /**
     * @param cancelledTask true for tasks cancelled while their jobs still wait: those are dropped
     * @param hints         told when a queue is found empty
     */
    JobSource(RabbitTemplate template, WorkerPublisher publisher, String workerId, String host, Clock clock,
              LongPredicate cancelledTask, QueueHints hints) {
        this.template = template;
        this.publisher = publisher;
        this.workerId = workerId;
        this.host = host;
        this.clock = clock;
        this.cancelledTask = cancelledTask;
        this.hints = hints;
    }

    /** Declares the queues this worker reads and writes, with the same arguments the coordinator uses. */
    void declareQueues(int maxGpus) {
        RabbitAdmin admin = new RabbitAdmin(template);
        for (int gpus = 1; gpus <= maxGpus; gpus++) {
            admin.declareQueue(new Queue(Topology.jobQueue(gpus), true));
        }
        admin.declareQueue(new Queue(Topology.DEAD_LETTER_QUEUE, true));
        admin.declareQueue(new Queue(Topology.RESULTS_QUEUE, true));
        admin.declareQueue(new Queue(Topology.HEARTBEATS_QUEUE, true));
    }

    /** Whether jobs for {@code gpus} GPUs wait in their queue now; asks the broker, claims nothing. */
    boolean waiting(int gpus) {
        Integer count = template.execute(channel -> channel.queueDeclarePassive(Topology.jobQueue(gpus))
                .getMessageCount());
        return count != null && count > 0;
    }

    /** The next job for exactly {@code reservation.indices().size()} GPUs; empty when there is none to run. */
    Optional<JobMessage> take(GpuReservation reservation) {
        int gpus = reservation.indices().size();
        String queue = Topology.jobQueue(gpus);
        long generation = hints.generation(gpus);
        return Optional.ofNullable(template.execute(channel -> {
            GetResponse response = channel.basicGet(queue, false);
            if (response == null) {
                hints.foundEmpty(gpus, generation);
                return null;
            }
            long tag = response.getEnvelope().getDeliveryTag();
            JobMessage job;
            try {
                job = MessageCodec.decodeJob(response.getBody());
            } catch (UndecodableMessageException e) {
                log.warn("worker {}: an unreadable job on {} goes to {}: {}", workerId, queue,
                        Topology.DEAD_LETTER_QUEUE, e.getMessage());
                DeadLetters.park(channel, response.getProps(), response.getBody(), queue, e.getMessage());
                channel.basicAck(tag, false);
                return null;
            }
            List<String> problems = JobValidation.problems(job);
            if (problems.isEmpty() && job.gpus() != gpus) {
                problems = List.of("job asks for " + job.gpus() + " GPUs but sat in " + queue);
            }
            if (!problems.isEmpty()) {
                log.warn("task {} experiment {}: job refused and sent to {}: {}", job.taskId(), job.experimentId(),
                        Topology.DEAD_LETTER_QUEUE, problems);
                DeadLetters.park(channel, response.getProps(), response.getBody(), queue, String.join("; ", problems));
                channel.basicAck(tag, false);
                return null;
            }
            if (cancelledTask.test(job.taskId())) {
                log.info("task {} experiment {}: dropped, the task was cancelled", job.taskId(), job.experimentId());
                channel.basicAck(tag, false);
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
