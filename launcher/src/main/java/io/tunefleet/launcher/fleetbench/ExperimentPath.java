package io.tunefleet.launcher.fleetbench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Where an experiment's time goes between the coordinator and the workers, from the timestamps the
 * coordinator stored, in ms:
 * <ul>
 *   <li>{@code refill}: a result committed, freeing a window slot, until the next experiment is stored;</li>
 *   <li>{@code publish}: stored until its job is confirmed by the broker and recorded as queued;</li>
 *   <li>{@code claim}: queued until a worker claims it (negative where a worker took the job before
 *       the coordinator had recorded the confirm);</li>
 *   <li>{@code run_overhead}: claimed until finished, less the time it was meant to hold its GPUs;</li>
 *   <li>{@code result}: finished on the worker until committed by the coordinator.</li>
 * </ul>
 * When a window is full all the time, Little's law ties them to throughput: experiments per second
 * ≈ window / the mean of their sum. So on zero-length experiments the sum says what a higher
 * throughput must shorten.
 */
record ExperimentPath(Map<String, Stage> stages) {

    /** Mean and 90th percentile of one stage, ms. */
    record Stage(double meanMs, double p90Ms, int count) {
    }

    static ExperimentPath of(List<ExperimentRow> rows, Map<Long, Integer> windowByTask) {
        List<ExperimentRow> done = rows.stream().filter(r -> r.queuedAt() != null && r.startedAt() != null
                && r.finishedAt() != null && r.committedAt() != null).toList();
        Map<String, Stage> stages = new LinkedHashMap<>();
        stages.put("refill", stage(refills(rows, windowByTask)));
        stages.put("publish", stage(done, r -> r.queuedAt() - r.createdAt()));
        stages.put("claim", stage(done, r -> r.startedAt() - r.queuedAt()));
        stages.put("run_overhead", stage(done, r -> r.finishedAt() - r.startedAt() - r.durationMs()));
        stages.put("result", stage(done, r -> r.committedAt() - r.finishedAt()));
        return new ExperimentPath(stages);
    }

    /**
     * For each task, the i-th experiment past the first window was stored once the i-th commit freed
     * a slot: the time between the two. Exact for a task without retries, whose window is always full.
     */
    static List<Long> refills(List<ExperimentRow> rows, Map<Long, Integer> windowByTask) {
        List<Long> refills = new ArrayList<>();
        for (var entry : windowByTask.entrySet()) {
            List<ExperimentRow> mine = rows.stream().filter(r -> r.taskId() == entry.getKey()).toList();
            List<Long> created = mine.stream().map(ExperimentRow::createdAt).sorted().toList();
            List<Long> commits = mine.stream().map(ExperimentRow::committedAt).filter(c -> c != null).sorted().toList();
            int window = entry.getValue();
            for (int i = window; i < created.size() && i - window < commits.size(); i++) {
                refills.add(created.get(i) - commits.get(i - window));
            }
        }
        return refills;
    }

    private static Stage stage(List<ExperimentRow> rows, ToLongFunction<ExperimentRow> ms) {
        return stage(rows.stream().map(ms::applyAsLong).toList());
    }

    private static Stage stage(List<Long> values) {
        if (values.isEmpty()) {
            return new Stage(0, 0, 0);
        }
        double mean = values.stream().mapToLong(Long::longValue).average().orElse(0);
        double p90 = FleetFigures.percentile(values.stream().map(Long::doubleValue).toList(), 90);
        return new Stage(mean, p90, values.size());
    }

    /** The sum of the stages' means: an experiment's mean time in the window, beyond its own run. */
    double meanCycleMs() {
        return stages.values().stream().mapToDouble(Stage::meanMs).sum();
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        stages.forEach((name, s) -> json.put(name, Map.of("mean", round(s.meanMs()), "p90", round(s.p90Ms()))));
        json.put("sum_of_means", round(meanCycleMs()));
        return json;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
