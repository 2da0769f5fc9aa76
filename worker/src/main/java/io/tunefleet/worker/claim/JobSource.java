package io.tunefleet.worker.claim;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.tunefleet.common.experiment.FailureClass;
import io.tunefleet.common.message.ClaimMessage;
import io.tunefleet.common.message.JobMessage;
import io.tunefleet.common.message.JobValidation;
import io.tunefleet.common.message.MessageCodec;
import io.tunefleet.common.message.ResultMessage;
import io.tunefleet.common.message.Schema;
import io.tunefleet.common.message.Topology;
import io.tunefleet.common.message.UndecodableMessageException;
import io.tunefleet.common.message.WorkerMessage;
import io.tunefleet.worker.gpu.GpuReservation;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.RabbitUtils;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * Takes jobs from {@code jobs.gpus.N} for GPUs already reserved: get without auto-ack, announce
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
    private final Consumer<ResultMessage> refusals;
    private final String deadLetterQueue;

    /**
     * @param cancelledTask true for tasks cancelled while their jobs still wait: those are dropped
     * @param hints         told when a queue is found empty
     * @param refusals      sends the failed result of a job refused as unreadable or invalid (see
     *                      {@link #refuse}); the ResultOutbox, which retries until the broker confirms
     */
    JobSource(RabbitTemplate template, WorkerPublisher publisher, String workerId, String host, Clock clock,
              LongPredicate cancelledTask, QueueHints hints, Consumer<ResultMessage> refusals) {
        this(template, publisher, workerId, host, clock, cancelledTask, hints, refusals, Topology.DEAD_LETTER_QUEUE);
    }

    /** As above, parking refused jobs in {@code deadLetterQueue}; tests pass one that refuses them. */
    JobSource(RabbitTemplate template, WorkerPublisher publisher, String workerId, String host, Clock clock,
              LongPredicate cancelledTask, QueueHints hints, Consumer<ResultMessage> refusals, String deadLetterQueue) {
        this.template = template;
        this.publisher = publisher;
        this.workerId = workerId;
        this.host = host;
        this.clock = clock;
        this.cancelledTask = cancelledTask;
        this.hints = hints;
        this.refusals = refusals;
        this.deadLetterQueue = deadLetterQueue;
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

    /**
     * Up to {@code max} jobs for {@code gpus} GPUs each, every one taken only after {@code reserve}
     * gave it its GPUs: reserve, get, and again until the pool or the queue runs out. The claims of
     * all of them are then published together and confirmed together, and each job is acked once
     * its claim is confirmed; a job whose claim is not confirmed goes back to its queue and its GPUs
     * are freed. Empty when there was nothing to run (every reservation freed again). A queue only
     * the poll made worth asking ({@link QueueHints#onlyPolled}) is asked for its length first, and
     * when it is empty nothing is reserved.
     */
    List<Claimed> take(int gpus, Supplier<Optional<GpuReservation>> reserve, int max) {
        String queue = Topology.jobQueue(gpus);
        long generation = hints.generation(gpus);
        List<Claimed> claimed = template.execute(channel -> {
            if (hints.onlyPolled(gpus) && channel.queueDeclarePassive(queue).getMessageCount() == 0) {
                hints.foundEmpty(gpus, generation); // nothing reserved: an idle node's poll costs one question
                return List.of();
            }
            List<Delivery> taken = new ArrayList<>();
            GpuReservation asking = null; // reserved, its job not taken yet
            try {
                while (taken.size() < max) {
                    asking = reserve.get().orElse(null);
                    if (asking == null) {
                        break;
                    }
                    GetResponse response = channel.basicGet(queue, false);
                    if (response == null) {
                        hints.foundEmpty(gpus, generation);
                        break;
                    }
                    JobMessage job = runnable(channel, response, queue, gpus);
                    if (job == null) {
                        asking.release();
                        continue;
                    }
                    taken.add(new Delivery(job, asking, response.getEnvelope().getDeliveryTag()));
                    asking = null;
                    if (response.getMessageCount() == 0) {
                        // The last one for now: announce the claims at once. The queue is not noted
                        // empty, so the next pass asks again and finds what was published meanwhile.
                        break;
                    }
                }
                if (asking != null) {
                    asking.release();
                }
                return announce(channel, taken);
            } catch (IOException | RuntimeException e) {
                // The jobs taken and not acked go back to their queue when the channel closes: close
                // it for real rather than return it to the cache, where the next take's multiple
                // ack would ack them too.
                RabbitUtils.setPhysicalCloseRequired(channel, true);
                if (asking != null) {
                    asking.release();
                }
                taken.forEach(d -> d.reservation().release());
                throw e;
            }
        });
        return claimed == null ? List.of() : claimed;
    }

    /** Publishes the claims, then acks each job whose claim was confirmed and returns the others. */
    private List<Claimed> announce(Channel channel, List<Delivery> taken) throws IOException {
        if (taken.isEmpty()) {
            return List.of();
        }
        long now = clock.millis();
        List<ClaimMessage> claims = taken.stream().map(d -> new ClaimMessage(Schema.VERSION, workerId, host,
                d.job().taskId(), d.job().experimentId(), d.job().attempt(), d.reservation().indices(), now)).toList();
        Map<WorkerMessage, String> refused = publisher.sendAllConfirmed(claims);
        if (refused.isEmpty()) {
            // One ack for the lot: this channel holds no other unacked job (a failed take closes it).
            channel.basicAck(taken.get(taken.size() - 1).tag(), true);
            return taken.stream().map(d -> new Claimed(d.job(), d.reservation())).toList();
        }
        List<Claimed> claimed = new ArrayList<>(taken.size());
        for (int i = 0; i < taken.size(); i++) {
            Delivery d = taken.get(i);
            String why = refused.get(claims.get(i));
            if (why == null) {
                channel.basicAck(d.tag(), false);
                claimed.add(new Claimed(d.job(), d.reservation()));
            } else {
                log.warn("task {} experiment {}: claim not confirmed ({}); job returned to the queue",
                        d.job().taskId(), d.job().experimentId(), why);
                channel.basicNack(d.tag(), false, true);
                d.reservation().release();
            }
        }
        return claimed;
    }

    /**
     * The job in {@code response}, or null when it is not to be run: unreadable or invalid ones go to
     * the dead-letter queue, those of cancelled tasks are dropped (both acked; a dead letter's once
     * the broker confirmed it).
     */
    private JobMessage runnable(Channel channel, GetResponse response, String queue, int gpus) throws IOException {
        JobMessage job;
        try {
            job = MessageCodec.decodeJob(response.getBody());
        } catch (UndecodableMessageException e) {
            log.warn("worker {}: an unreadable job on {} goes to {}: {}", workerId, queue, deadLetterQueue,
                    e.getMessage());
            refuse(channel, response, queue, e.getMessage(), MessageCodec.jobAttempt(response.getBody()));
            return null;
        }
        List<String> problems = JobValidation.problems(job);
        if (problems.isEmpty() && job.gpus() != gpus) {
            problems = List.of("job asks for " + job.gpus() + " GPUs but sat in " + queue);
        }
        if (!problems.isEmpty()) {
            log.warn("task {} experiment {}: job refused and sent to {}: {}", job.taskId(), job.experimentId(),
                    deadLetterQueue, problems);
            refuse(channel, response, queue, String.join("; ", problems), Optional.of(job.identity()));
            return null;
        }
        if (cancelledTask.test(job.taskId())) {
            log.info("task {} experiment {}: dropped, the task was cancelled", job.taskId(), job.experimentId());
            channel.basicAck(response.getEnvelope().getDeliveryTag(), false);
            return null;
        }
        return job;
    }

    /**
     * Parks a job no worker can run, acks it once the broker confirmed the dead letter, then reports
     * its attempt (when the job names one) as failed: no other worker will see the job, and without a
     * result its experiment would wait QUEUED for ever, holding a place in its task's window. Not
     * retryable: the same job would be refused again.
     * <p>
     * A job the dead-letter queue will not take (an operator capped it with {@code reject-publish},
     * say) is not handed back either: it would head its queue for good, every worker would fail on it
     * on every pass and claim nothing behind it. Its failure is reported, and confirmed, before it is
     * dropped; only when that report is not confirmed either does the take fail, which hands the job
     * back. Garbage that names no attempt is dropped with an error in the log.
     */
    private void refuse(Channel channel, GetResponse response, String queue, String why,
                        Optional<JobMessage.Attempt> attempt) throws IOException {
        long tag = response.getEnvelope().getDeliveryTag();
        String notParked = DeadLetters.park(channel, deadLetterQueue, response.getProps(), response.getBody(), queue,
                why, publisher.confirmTimeout());
        if (notParked == null) {
            channel.basicAck(tag, false);
            attempt.ifPresent(a -> refusals.accept(refusal(a, "parked in " + deadLetterQueue + ": " + why)));
            return;
        }
        if (attempt.isPresent()) {
            ResultMessage failed = refusal(attempt.get(), "dropped, " + notParked + ": " + why);
            Map<WorkerMessage, String> unreported = publisher.sendAllConfirmed(List.of(failed));
            if (!unreported.isEmpty()) {
                throw new IOException("a job refused (" + why + ") was neither parked (" + notParked
                        + ") nor reported (" + unreported.get(failed) + "); it goes back to " + queue);
            }
        }
        log.error("worker {}: a job refused on {} is dropped, {}; it was refused because: {}{}", workerId, queue,
                notParked, why, attempt.map(a -> "; its attempt is reported failed").orElse(
                        "; it names no attempt, so nothing is reported"));
        channel.basicReject(tag, false);
    }

    private ResultMessage refusal(JobMessage.Attempt a, String what) {
        long now = clock.millis();
        return new ResultMessage(Schema.VERSION, workerId, a.taskId(), a.experimentId(), a.attempt(),
                ResultMessage.Outcome.FAILED, FailureClass.INVALID_CONFIG, "job refused by worker " + workerId + " and "
                + what, Map.of(), List.of(), now, now);
    }

    /** A job taken off its queue, not yet acked. */
    private record Delivery(JobMessage job, GpuReservation reservation, long tag) {
    }

    /** A job claimed (its claim confirmed, the job acked) on the GPUs reserved for it. */
    record Claimed(JobMessage job, GpuReservation reservation) {
    }
}
