package io.tunefleet.launcher.fleetbench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A named benchmark workload: fleet shape, and for each task its window and its experiments (GPUs
 * needed, how long each holds them) in submission order. Seeds are fixed, so every run is the same.
 */
public record Workload(String name, int workers, int gpusPerWorker, List<TaskLoad> tasks) {

    /** One task: its window and experiments. */
    public record TaskLoad(int window, List<Job> jobs) {
    }

    /** One experiment: position in its task, GPUs, and hold time. */
    public record Job(int seq, int gpus, long durationMs) {
    }

    public static final List<String> NAMES = List.of("uniform", "mixed", "two-tasks", "throughput");

    public static Workload named(String name) {
        return switch (name) {
            case "uniform" -> new Workload(name, 3, 8, List.of(new TaskLoad(24, uniform(120, 1))));
            case "mixed" -> new Workload(name, 3, 8, List.of(new TaskLoad(24, mixed(120, 2))));
            case "two-tasks" -> new Workload(name, 3, 8, List.of(new TaskLoad(12, mixed(60, 3)),
                    new TaskLoad(16, mixed(60, 4))));
            case "throughput" -> new Workload(name, 4, 8, List.of(new TaskLoad(32, zeroLength(5_000))));
            default -> throw new IllegalArgumentException("unknown workload '" + name + "'; known: " + NAMES);
        };
    }

    public int totalGpus() {
        return workers * gpusPerWorker;
    }

    public int experiments() {
        return tasks.stream().mapToInt(t -> t.jobs().size()).sum();
    }

    /** Log-normal durations with median 1 s and sigma 0.5, one GPU each. */
    static List<Job> uniform(int n, long seed) {
        Random random = new Random(seed);
        List<Job> jobs = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            jobs.add(new Job(i, 1, logNormalMs(random, 1.0)));
        }
        return jobs;
    }

    /** 1/2/4/8 GPUs at 50/30/15/5 %, log-normal durations with median (1 + 0.25 g) s and sigma 0.5. */
    static List<Job> mixed(int n, long seed) {
        Random random = new Random(seed);
        List<Job> jobs = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            double u = random.nextDouble();
            int gpus = u < 0.50 ? 1 : u < 0.80 ? 2 : u < 0.95 ? 4 : 8;
            jobs.add(new Job(i, gpus, logNormalMs(random, 1 + 0.25 * gpus)));
        }
        return jobs;
    }

    static List<Job> zeroLength(int n) {
        List<Job> jobs = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            jobs.add(new Job(i, 1, 0));
        }
        return jobs;
    }

    private static long logNormalMs(Random random, double medianSeconds) {
        return Math.round(medianSeconds * Math.exp(0.5 * random.nextGaussian()) * 1000);
    }
}
