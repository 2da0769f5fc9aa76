package io.tunefleet.launcher.fleetbench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The figures of one workload run: measured, simulated references, and the derived ratios. Besides
 * the greedy reference ("ideal"), the workers' own rules are simulated with zero overhead ("policy"),
 * so a gap to the reference can be told apart: what the rules trade for not starving whole-node
 * experiments, and what the running system adds on top.
 */
record FleetFigures(
        String workload,
        int experiments,
        int succeeded,
        double makespanS,
        double idealMakespanS,
        double idealWholeNodeWaitOverDuration,
        double policyMakespanS,
        double policyWholeNodeWaitOverDuration,
        double lowerBoundS,
        double fifoMakespanS,
        double sequentialS,
        List<Gap> gaps,
        double maxWholeNodeWaitS,
        double maxWholeNodeWaitOverDuration,
        double throughputPerS,
        Cpu cpu,
        double coordinatorPeakRssMb,
        ExperimentPath path,
        IdleGpuTime idle) {

    /** CPU seconds used during the measured workload; the broker's -1 when it is not a local RabbitMQ. */
    record Cpu(double coordinatorS, double workersS, double brokerS) {
    }

    double efficiency() {
        return idealMakespanS / makespanS;
    }

    double boundRatio() {
        return lowerBoundS / makespanS;
    }

    /** Derives the figures from what the coordinator stored. */
    static FleetFigures of(Workload w, List<ExperimentRow> rows, long submittedAt, Cpu cpu, double rssMb) {
        long lastCommit = rows.stream().filter(r -> r.committedAt() != null).mapToLong(ExperimentRow::committedAt)
                .max().orElse(submittedAt);
        double makespan = (lastCommit - submittedAt) / 1000.0;
        double[] wholeNode = wholeNodeWait(rows, w.gpusPerWorker());
        int succeeded = (int) rows.stream().filter(r -> r.state().equals("SUCCEEDED")).count();
        ScheduleSimulator.Schedule ideal = ScheduleSimulator.reference(w);
        ScheduleSimulator.Schedule policy = ScheduleSimulator.fleetPolicy(w);
        Map<Long, IdleGpuTime.TaskLimits> limits = limits(w, rows);
        return new FleetFigures(w.name(), rows.size(), succeeded, makespan, ideal.makespanS(),
                ideal.maxWholeNodeWaitOverDuration(), policy.makespanS(), policy.maxWholeNodeWaitOverDuration(),
                ScheduleSimulator.lowerBound(w), ScheduleSimulator.strictFifo(w), ScheduleSimulator.sequential(w),
                dispatchGaps(rows, w.gpusPerWorker()),
                wholeNode[0], wholeNode[1], rows.size() / Math.max(makespan, 1e-9), cpu, rssMb,
                ExperimentPath.of(rows, windows(limits)), IdleGpuTime.of(rows, limits, nodes(w, rows),
                        w.gpusPerWorker(), submittedAt, lastCommit));
    }

    /**
     * Task id to its window and experiment count: the workload's tasks were submitted in order, so
     * their ids ascend with it.
     */
    private static Map<Long, IdleGpuTime.TaskLimits> limits(Workload w, List<ExperimentRow> rows) {
        Map<Long, IdleGpuTime.TaskLimits> limits = new LinkedHashMap<>();
        List<Long> ids = rows.stream().map(ExperimentRow::taskId).distinct().sorted().toList();
        for (int i = 0; i < ids.size() && i < w.tasks().size(); i++) {
            Workload.TaskLoad t = w.tasks().get(i);
            limits.put(ids.get(i), new IdleGpuTime.TaskLimits(t.window(), t.jobs().size()));
        }
        return limits;
    }

    private static Map<Long, Integer> windows(Map<Long, IdleGpuTime.TaskLimits> limits) {
        Map<Long, Integer> windows = new LinkedHashMap<>();
        limits.forEach((task, l) -> windows.put(task, l.window()));
        return windows;
    }

    /** The fleet's workers: those that ran something, and a stand-in for each that ran nothing. */
    private static List<String> nodes(Workload w, List<ExperimentRow> rows) {
        List<String> nodes = new ArrayList<>(rows.stream().map(ExperimentRow::workerId).filter(id -> id != null)
                .distinct().sorted().toList());
        for (int i = nodes.size(); i < w.workers(); i++) {
            nodes.add("(idle node " + (i + 1) + ")");
        }
        return nodes;
    }

    /**
     * One dispatch gap.
     *
     * @param ms              from the release until the worker's next claim or, if sooner, until the
     *                        last experiment that fitted and waited then was claimed (by any worker):
     *                        the time its GPUs sat idle while work they could run waited
     * @param toNextClaimMs   from the release until the worker's next claim, whatever became of the
     *                        work that waited (the definition before the eleventh session)
     * @param beforeWholeNode it ended in a whole-node claim: the node emptied for that experiment, so
     *                        its GPUs were left idle on purpose, not for want of dispatch
     * @param workerId        the worker whose GPUs waited
     * @param releasedAt      when they were released, epoch ms: to find a long gap in that worker's log
     */
    record Gap(double ms, double toNextClaimMs, boolean beforeWholeNode, String workerId, long releasedAt) {

        Map<String, Object> json() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("ms", ms);
            json.put("to_next_claim_ms", toNextClaimMs);
            json.put("worker", workerId);
            json.put("released_at", Instant.ofEpochMilli(releasedAt).toString());
            return json;
        }
    }

    /**
     * For every release of GPUs on a worker while experiments that would fit in what that worker then
     * had free were already published and waiting: how long its GPUs then sat idle while such work
     * waited. The gap ends at the worker's next claim, or sooner when another worker took the last of
     * that work: from then on the GPUs were idle for want of work, not of dispatch (a kept `mixed` run
     * counted 101 ms for a release whose one fitting job another worker claimed 1 ms later; the
     * worker's next claim was of a job published 96 ms after the release, 5 ms after its publish).
     */
    static List<Gap> dispatchGaps(List<ExperimentRow> rows, int gpusPerWorker) {
        List<ExperimentRow> ran = rows.stream()
                .filter(r -> r.workerId() != null && r.startedAt() != null && r.finishedAt() != null).toList();
        Map<String, List<ExperimentRow>> byWorker = new LinkedHashMap<>();
        ran.forEach(r -> byWorker.computeIfAbsent(r.workerId(), k -> new ArrayList<>()).add(r));
        List<Gap> gaps = new ArrayList<>();
        for (var entry : byWorker.entrySet()) {
            List<ExperimentRow> mine = entry.getValue();
            mine.sort(Comparator.comparingLong(ExperimentRow::startedAt));
            for (ExperimentRow released : mine) {
                long t = released.finishedAt();
                int held = mine.stream().filter(o -> o != released && o.startedAt() <= t && o.finishedAt() > t)
                        .mapToInt(ExperimentRow::gpus).sum();
                int free = gpusPerWorker - held;
                OptionalLong lastFittingClaimed = ran.stream().filter(o -> o.queuedAt() != null && o.queuedAt() <= t
                        && o.startedAt() > t && o.gpus() <= free).mapToLong(ExperimentRow::startedAt).max();
                if (lastFittingClaimed.isEmpty()) {
                    continue;
                }
                mine.stream().filter(o -> o.startedAt() >= t).min(Comparator.comparingLong(ExperimentRow::startedAt))
                        .ifPresent(next -> gaps.add(new Gap(
                                Math.min(next.startedAt(), lastFittingClaimed.getAsLong()) - t,
                                next.startedAt() - t, next.gpus() == gpusPerWorker, entry.getKey(), t)));
            }
        }
        return gaps;
    }

    /**
     * The longest wait of a whole-node experiment from the moment it was at the head of its task's
     * window (published, and every earlier experiment of the task started) to its claim; and that
     * wait over the experiment's own duration.
     */
    static double[] wholeNodeWait(List<ExperimentRow> rows, int gpusPerWorker) {
        double maxWait = 0;
        double maxRatio = 0;
        for (ExperimentRow r : rows) {
            if (r.gpus() != gpusPerWorker || r.startedAt() == null || r.queuedAt() == null) {
                continue;
            }
            long head = r.queuedAt();
            for (ExperimentRow earlier : rows) {
                if (earlier.taskId() == r.taskId() && earlier.seq() < r.seq() && earlier.startedAt() != null) {
                    head = Math.max(head, earlier.startedAt());
                }
            }
            double wait = Math.max(0, r.startedAt() - head) / 1000.0;
            maxWait = Math.max(maxWait, wait);
            maxRatio = Math.max(maxRatio, wait / Math.max(r.durationMs() / 1000.0, 1e-3));
        }
        return new double[] {maxWait, maxRatio};
    }

    static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("workload", workload);
        json.put("experiments", experiments);
        json.put("succeeded", succeeded);
        json.put("makespan_s", round(makespanS));
        json.put("ideal_makespan_s", round(idealMakespanS));
        json.put("efficiency", round(efficiency()));
        json.put("ideal_max_whole_node_wait_over_duration", round(idealWholeNodeWaitOverDuration));
        json.put("policy_makespan_s", round(policyMakespanS));
        json.put("policy_max_whole_node_wait_over_duration", round(policyWholeNodeWaitOverDuration));
        json.put("lower_bound_s", round(lowerBoundS));
        json.put("bound_ratio", round(boundRatio()));
        json.put("fifo_makespan_s", round(fifoMakespanS));
        json.put("sequential_s", round(sequentialS));
        json.put("dispatch_gap_ms", summary(gaps.stream().map(Gap::ms).toList()));
        List<Gap> notOnPurpose = gaps.stream().filter(g -> !g.beforeWholeNode()).toList();
        json.put("dispatch_gap_not_before_whole_node_ms", summary(notOnPurpose.stream().map(Gap::ms).toList()));
        json.put("dispatch_gap_to_next_claim_ms", summary(notOnPurpose.stream().map(Gap::toNextClaimMs).toList()));
        notOnPurpose.stream().max(Comparator.comparingDouble(Gap::ms))
                .ifPresent(longest -> json.put("longest_dispatch_gap", longest.json()));
        json.put("max_whole_node_wait_s", round(maxWholeNodeWaitS));
        json.put("max_whole_node_wait_over_duration", round(maxWholeNodeWaitOverDuration));
        json.put("throughput_per_s", round(throughputPerS));
        json.put("coordinator_cpu_s", round(cpu.coordinatorS()));
        json.put("coordinator_peak_rss_mb", round(coordinatorPeakRssMb));
        Map<String, Object> perExperiment = new LinkedHashMap<>();
        perExperiment.put("coordinator", msPerExperiment(cpu.coordinatorS()));
        perExperiment.put("workers", msPerExperiment(cpu.workersS()));
        if (cpu.brokerS() >= 0) {
            perExperiment.put("broker", msPerExperiment(cpu.brokerS()));
        }
        json.put("cpu_ms_per_experiment", perExperiment);
        json.put("experiment_path_ms", path.toJson());
        json.put("idle_gpu_s", idle.toJson());
        return json;
    }

    private double msPerExperiment(double cpuSeconds) {
        return round(cpuSeconds * 1000 / Math.max(1, experiments));
    }

    /** p50, p99, max and count, in the JSON's shape. */
    private static Map<String, Object> summary(List<Double> gapsMs) {
        return Map.of("p50", round(percentile(gapsMs, 50)), "p99", round(percentile(gapsMs, 99)),
                "max", round(gapsMs.isEmpty() ? 0 : Collections.max(gapsMs)), "count", gapsMs.size());
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
