package io.tunefleet.coordinator.dispatch;

import io.tunefleet.common.message.JobMessage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * Replaces the job publisher with one that records jobs and confirms them at once, so that a
 * coordinator under test dispatches without a broker and never puts test jobs on a real queue.
 */
@TestConfiguration(proxyBeanMethods = false)
public class NoBrokerConfiguration {

    @Bean
    @Primary
    RecordingJobPublisher recordingJobPublisher() {
        return new RecordingJobPublisher();
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
