package io.tunefleet.coordinator.api;

import io.tunefleet.coordinator.store.ExperimentStore;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * An experiment's attempts, oldest first: which worker ran each and how it ended. Read-only; what
 * {@code tunefleet logs TASK EXP} shows until engine logs are collected by the docker runtime.
 */
@RestController
class AttemptController {

    private final ExperimentStore experiments;

    AttemptController(ExperimentStore experiments) {
        this.experiments = experiments;
    }

    @GetMapping("/api/tasks/{taskId}/experiments/{experimentId}/attempts")
    Map<String, Object> attempts(@PathVariable long taskId, @PathVariable long experimentId) {
        var experiment = experiments.find(experimentId).filter(e -> e.taskId() == taskId)
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND,
                        "task " + taskId + " has no experiment with id " + experimentId));
        List<String> attempts = experiments.attemptHistory(experiment.id());
        return Map.of("task_id", taskId, "experiment_id", experimentId, "attempts", attempts);
    }
}
