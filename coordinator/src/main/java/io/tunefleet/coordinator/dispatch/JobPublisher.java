package io.tunefleet.coordinator.dispatch;

import io.tunefleet.common.message.JobMessage;
import io.tunefleet.common.message.MessageCodec;
import io.tunefleet.common.message.Topology;
import io.tunefleet.coordinator.config.CoordinatorProperties;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.stereotype.Component;

/**
 * Publishes jobs persistent and mandatory to {@code jobs.gpus.N}, and returns only once the broker
 * confirmed them. A job the broker could not route or did not confirm throws, and stays unpublished.
 */
@Component
class JobPublisher {

    private final RabbitTemplate template;
    private final AmqpAdmin admin;
    private final CoordinatorProperties properties;
    private final Set<String> declared = ConcurrentHashMap.newKeySet();

    JobPublisher(RabbitTemplate template, AmqpAdmin admin, CoordinatorProperties properties) {
        this.template = template;
        this.admin = admin;
        this.properties = properties;
    }

    /** What a batch publish achieved: the jobs the broker confirmed, and why the others failed. */
    record Outcome(List<JobMessage> confirmed, Map<JobMessage, String> failures) {
    }

    /**
     * Sends every job, then waits for the confirms together: one round trip for the batch instead of
     * one per job.
     */
    Outcome publishAll(List<JobMessage> jobs) {
        List<JobMessage> confirmed = new ArrayList<>();
        Map<JobMessage, String> failures = new LinkedHashMap<>();
        // A list, not a map: a job's hash would walk its parameters and benchmark spec for nothing.
        List<Map.Entry<JobMessage, CorrelationData>> sent = new ArrayList<>(jobs.size());
        // On one channel for the whole batch, rather than one taken from the cache and given back per job.
        try {
            template.invoke(operations -> {
                for (JobMessage job : jobs) {
                    try {
                        sent.add(Map.entry(job, send(job)));
                    } catch (RuntimeException e) {
                        failures.put(job, e.getMessage());
                    }
                }
                return null;
            });
        } catch (RuntimeException e) {
            // No channel at all (the broker is away): none of the jobs was sent.
            jobs.forEach(job -> failures.put(job, e.getMessage()));
            return new Outcome(List.of(), failures);
        }
        // One deadline for the batch: waiting the whole timeout for each job in turn, a broker that
        // stopped confirming would hold the dispatcher (and a cancel waiting for it) for jobs × timeout.
        long deadline = System.nanoTime() + properties.publishTimeout().toNanos();
        for (var entry : sent) {
            try {
                await(entry.getKey(), entry.getValue(), deadline);
                confirmed.add(entry.getKey());
            } catch (PublishFailedException e) {
                failures.put(entry.getKey(), e.getMessage());
            }
        }
        return new Outcome(confirmed, failures);
    }

    private CorrelationData send(JobMessage job) {
        String queue = Topology.jobQueue(job.gpus());
        if (declared.add(queue)) {
            admin.declareQueue(new Queue(queue, true));
        }
        MessageProperties props = new MessageProperties();
        props.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        props.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        props.setMessageId(job.attemptKey());
        CorrelationData correlation = new CorrelationData(job.attemptKey());
        template.send("", queue, new Message(MessageCodec.encode(job), props), correlation);
        return correlation;
    }

    private void await(JobMessage job, CorrelationData correlation, long deadlineNanos) {
        String queue = Topology.jobQueue(job.gpus());
        CorrelationData.Confirm confirm;
        try {
            confirm = correlation.getFuture().get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishFailedException("interrupted waiting for the confirm of job " + job.attemptKey(), e);
        } catch (Exception e) {
            throw new PublishFailedException("no confirm for job " + job.attemptKey() + " within "
                    + properties.publishTimeout(), e);
        }
        if (!confirm.ack()) {
            throw new PublishFailedException("broker refused job " + job.attemptKey() + ": " + confirm.reason(), null);
        }
        if (correlation.getReturned() != null) {
            throw new PublishFailedException("broker could not route job " + job.attemptKey() + " to " + queue
                    + ": " + correlation.getReturned().getReplyText(), null);
        }
    }

    static final class PublishFailedException extends RuntimeException {
        PublishFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
