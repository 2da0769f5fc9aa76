package io.tunefleet.coordinator.api;

import io.tunefleet.common.task.Objective;
import io.tunefleet.coordinator.store.TaskRecord;
import io.tunefleet.coordinator.task.TaskService;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** The task API under {@code /api/tasks}. */
@RestController
@RequestMapping("/api/tasks")
class TaskController {

    private final TaskService service;

    TaskController(TaskService service) {
        this.service = service;
    }

    /** Takes the task file as text so that the parser, not the web layer, reports every problem. */
    @PostMapping(consumes = {MediaType.APPLICATION_JSON_VALUE, MediaType.TEXT_PLAIN_VALUE, MediaType.ALL_VALUE})
    ResponseEntity<TaskView> submit(@RequestBody String body) {
        TaskRecord task = service.submit(body);
        return ResponseEntity.created(URI.create("/api/tasks/" + task.id())).body(view(task));
    }

    @GetMapping
    List<TaskView> list() {
        return service.list().stream().map(this::view).toList();
    }

    @GetMapping("/{id}")
    TaskView get(@PathVariable long id) {
        return view(task(id));
    }

    @PostMapping("/{id}/cancel")
    ResponseEntity<TaskView> cancel(@PathVariable long id) {
        var outcome = service.cancel(id).orElseThrow(() -> notFound(id));
        HttpStatus status = outcome.cancelled() ? HttpStatus.OK : HttpStatus.CONFLICT;
        return ResponseEntity.status(status).body(view(task(id)));
    }

    /**
     * The task's experiments in suggestion order; all of them (after {@code offset}), or one page with
     * {@code limit} (1 to {@value #MAX_PAGE}) and {@code offset}.
     */
    @GetMapping("/{id}/experiments")
    List<ExperimentView> experiments(@PathVariable long id, @RequestParam(required = false) Integer limit,
                                     @RequestParam(defaultValue = "0") int offset) {
        String metric = objectiveMetric(task(id));
        if (offset < 0) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "offset must be at least 0; got " + offset);
        }
        if (limit != null && (limit < 1 || limit > MAX_PAGE)) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "limit must be 1 to " + MAX_PAGE + "; got " + limit);
        }
        // Without a limit, everything from the offset on: skipped by the database, not after reading every row.
        return service.experiments(id, offset, limit == null ? Integer.MAX_VALUE : limit).stream()
                .map(e -> ExperimentView.of(e, metric)).toList();
    }

    static final int MAX_PAGE = 10_000;

    @GetMapping("/{id}/best")
    Map<String, Object> best(@PathVariable long id) {
        TaskRecord task = task(id);
        var best = service.best(task).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND,
                "task " + id + " has no succeeded experiment yet"));
        ExperimentView view = ExperimentView.of(best, objectiveMetric(task));
        Map<String, Object> answer = new java.util.LinkedHashMap<>();
        answer.put("task_id", id);
        answer.put("objective", task.objective());
        answer.put("objective_value", view.objectiveValue());
        answer.put("score", view.score());
        answer.put("why", service.whyBest(task, best));
        answer.put("experiment", view);
        return answer;
    }

    /**
     * The Pareto front of output tokens/s per GPU against a latency metric among succeeded,
     * SLO-feasible experiments.
     */
    @GetMapping("/{id}/pareto")
    Map<String, Object> pareto(@PathVariable long id,
                               @RequestParam(defaultValue = "e2e_latency_mean_s") String latency) {
        String metric = objectiveMetric(task(id));
        if (!latency.matches("[a-z0-9_]{1,64}")) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "latency must be a metric name such as "
                    + "e2e_latency_p90_s, got '" + latency + "'");
        }
        List<Map<String, Object>> front = service.pareto(id, latency).stream()
                .map(p -> Map.<String, Object>of("throughput_per_gpu", p.throughputPerGpu(), "latency", p.latency(),
                        "experiment", ExperimentView.of(p.id(), metric)))
                .toList();
        return Map.of("task_id", id, "throughput", "output_tokens_per_s_per_gpu", "latency", latency, "front", front);
    }

    private static String objectiveMetric(TaskRecord task) {
        return Objective.fromWireName(task.objective()).map(Objective::metric).orElse(null);
    }

    private TaskRecord task(long id) {
        return service.find(id).orElseThrow(() -> notFound(id));
    }

    private TaskView view(TaskRecord task) {
        return TaskView.of(task, service.counts(task.id()));
    }

    private static ResponseStatusException notFound(long id) {
        return new ResponseStatusException(HttpStatus.NOT_FOUND, "no task with id " + id);
    }
}
