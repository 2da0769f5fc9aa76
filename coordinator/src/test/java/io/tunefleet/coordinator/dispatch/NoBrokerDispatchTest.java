package io.tunefleet.coordinator.dispatch;

import io.tunefleet.common.experiment.ExperimentState;
import io.tunefleet.common.message.JobMessage;
import io.tunefleet.coordinator.CoordinatorTestProperties;
import io.tunefleet.coordinator.dispatch.NoBrokerConfiguration.RecordingJobPublisher;
import io.tunefleet.coordinator.store.ExperimentStore;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * What the dispatcher tests share: a coordinator of its own database that sends nothing to a broker
 * (subclasses import {@link NoBrokerConfiguration}), the jobs it would have published, and its
 * worker-message listener to hand claims, results and heartbeats to.
 */
abstract class NoBrokerDispatchTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        CoordinatorTestProperties.register(registry, "dispatch");
    }

    @Autowired
    RecordingJobPublisher publisher;
    @Autowired
    ExperimentStore experiments;
    @Autowired
    WorkerMessageListener listener;

    /** The state of the job's experiment now. */
    ExperimentState state(JobMessage job) {
        return experiments.find(job.experimentId()).orElseThrow().state();
    }
}
