package io.tunefleet.coordinator.dispatch;

import io.tunefleet.common.message.ControlMessage;
import io.tunefleet.common.message.JobMessage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.amqp.core.Message;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * Replaces everything the coordinator sends to the broker with recorders: jobs (confirmed at once),
 * control messages and dead letters. A coordinator under test dispatches without a broker and never
 * puts a test message on a real queue; tests read what would have been sent.
 */
@TestConfiguration(proxyBeanMethods = false)
public class NoBrokerConfiguration {

    @Bean
    @Primary
    RecordingJobPublisher recordingJobPublisher() {
        return new RecordingJobPublisher();
    }

    @Bean
    @Primary
    RecordingControl recordingControl() {
        return new RecordingControl();
    }

    @Bean
    @Primary
    RecordingDeadLetters recordingDeadLetters() {
        return new RecordingDeadLetters();
    }

    /** The control messages other than JOBS_AVAILABLE, in order. */
    public static final class RecordingControl extends ControlPublisher {

        private final List<ControlMessage> sent = new CopyOnWriteArrayList<>();

        RecordingControl() {
            super(null);
        }

        @Override
        public void send(ControlMessage message) {
            if (message.kind() != ControlMessage.Kind.JOBS_AVAILABLE) {
                sent.add(message);
            }
        }

        public List<ControlMessage> sent() {
            return List.copyOf(sent);
        }
    }

    /** The reasons of the messages parked in the dead-letter queue, in order. */
    public static final class RecordingDeadLetters extends DeadLetters {

        private final List<String> reasons = new CopyOnWriteArrayList<>();
        private volatile boolean refusing;

        RecordingDeadLetters() {
            super(null);
        }

        /** From now on every park fails, as against a dead-letter queue that rejects publishes. */
        public void refusing(boolean on) {
            refusing = on;
        }

        @Override
        void park(Message message, String sourceQueue, String reason) {
            if (refusing) {
                throw new IllegalStateException("broker refused the dead letter");
            }
            reasons.add(reason);
        }

        public List<String> reasons() {
            return List.copyOf(reasons);
        }
    }

    /** The jobs the dispatcher published, in order. */
    public static final class RecordingJobPublisher extends JobPublisher {

        private final List<JobMessage> published = new CopyOnWriteArrayList<>();

        RecordingJobPublisher() {
            super(null, null, null);
        }

        @Override
        Outcome publishAll(List<JobMessage> jobs) {
            published.addAll(jobs);
            return new Outcome(List.copyOf(jobs), java.util.Map.of());
        }

        public List<JobMessage> published() {
            return List.copyOf(published);
        }
    }
}
