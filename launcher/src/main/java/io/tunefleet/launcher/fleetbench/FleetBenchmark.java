package io.tunefleet.launcher.fleetbench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code tunefleet bench fleet}: runs named workloads on a real coordinator process, real worker
 * processes (simulated GPUs, a runtime that only holds them for each experiment's set duration) and
 * RabbitMQ, then compares the measured makespan with zero-overhead simulations and bounds.
 */
public final class FleetBenchmark {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** How often the benchmark asks whether its tasks ended; see {@link #awaitTasks}. */
    private static final long POLL_MS = 1_000;
    private final HttpClient http = HttpClient.newHttpClient();
    private final PrintStream out;
    private final URI broker;
    private final Path dir;
    private final int warmupExperiments;
    /** Whether the broker runs inside this JVM, so that its CPU cannot be told apart. */
    private final boolean embeddedBroker;

    /**
     * @param warmupExperiments zero-length experiments run on the fleet before each workload and left
     *                          out of its figures, so that the figures are those of running JVMs (a
     *                          fleet runs for days) and not of their just-in-time compilers; 0 for none
     */
    public FleetBenchmark(PrintStream out, URI broker, boolean embeddedBroker, Path dir, int warmupExperiments) {
        if (warmupExperiments < 0) {
            throw new IllegalArgumentException("warm-up experiments must be 0 or more, got " + warmupExperiments);
        }
        this.out = out;
        this.broker = broker;
        this.dir = dir;
        this.warmupExperiments = warmupExperiments;
        this.embeddedBroker = embeddedBroker;
    }

    /** Runs one workload end to end and returns its figures. */
    public Map<String, Object> run(Workload w) throws Exception {
        io.tunefleet.launcher.BrokerQueues.purge(broker);
        Path runDir = Files.createDirectories(dir.resolve(w.name() + "-" + System.currentTimeMillis()));
        Path db = runDir.resolve("tunefleet.db");
        List<ServiceProcess> workers = new ArrayList<>();
        List<String> coordinatorJvm = new ArrayList<>(List.of("-Xms64m", "-Xmx512m"));
        // e.g. -XX:StartFlightRecording=filename=/tmp/coordinator.jfr to profile the coordinator
        coordinatorJvm.addAll(extraOptions("TUNEFLEET_BENCH_COORDINATOR_OPTS"));
        // Port 0, and the port it bound read back: a port picked here in advance could be taken by
        // another process before the coordinator binds it.
        Path portFile = runDir.resolve("coordinator.port");
        ServiceProcess coordinator = ServiceProcess.start(runDir.resolve("coordinator.log"), coordinatorJvm,
                List.of("coordinator", "--port", "0", "--port-file", portFile.toString(), "--db", db.toString(),
                        "--rabbitmq", broker.toString()));
        try {
            // Written once it serves; the workers' own web servers (port 0 too) cannot be handed its port.
            String base = "http://127.0.0.1:" + coordinator.awaitPortFile(portFile, Duration.ofSeconds(120));
            for (int i = 1; i <= w.workers(); i++) {
                List<String> workerJvm = new ArrayList<>(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"));
                // e.g. -XX:StartFlightRecording:filename=/tmp/worker-%p.jfr to profile the workers
                workerJvm.addAll(extraOptions("TUNEFLEET_BENCH_WORKER_OPTS"));
                workers.add(ServiceProcess.start(runDir.resolve("worker-" + i + ".log"), workerJvm,
                        List.of("worker", "--id", "bench-w" + i, "--gpus", "sim:" + w.gpusPerWorker(), "--rabbitmq",
                                broker.toString(), "--port", "0", "--runtime-mode", "hold", "--lock-dir", runDir.resolve("locks").toString(),
                                "--heartbeat-interval", "1s", "--clean-grace", "1s")));
            }
            awaitFleet(base, w.workers(), coordinator, Duration.ofSeconds(120));
            long warmupTask = warmUp(base, w);
            double cpuBefore = coordinator.cpuSeconds();
            double workersCpuBefore = cpuSeconds(workers);
            double brokerCpuBefore = embeddedBroker ? -1 : LocalBroker.cpuSeconds(broker);
            out.printf("  %s: fleet of %d workers x %d GPUs up; submitting %d experiment(s)%n", w.name(), w.workers(),
                    w.gpusPerWorker(), w.experiments());
            long submittedAt = System.currentTimeMillis();
            List<Long> tasks = new ArrayList<>();
            for (int t = 0; t < w.tasks().size(); t++) {
                tasks.add(submit(base, taskJson(w.name() + "-" + (t + 1), w.tasks().get(t))));
            }
            awaitTasks(base, tasks, Duration.ofMinutes(20));
            double cpu = coordinator.cpuSeconds() - cpuBefore;
            double workersCpu = cpuSeconds(workers) - workersCpuBefore;
            double brokerCpu = brokerCpuBefore < 0 ? -1 : LocalBroker.cpuSeconds(broker) - brokerCpuBefore;
            double rss = coordinator.peakRssMb();
            coordinator.close();
            List<ExperimentRow> rows = ExperimentRow.readAll(db).stream().filter(r -> r.taskId() != warmupTask)
                    .toList();
            FleetFigures figures = FleetFigures.of(w, rows, submittedAt, new FleetFigures.Cpu(cpu, workersCpu, brokerCpu),
                    rss);
            return figures.toJson();
        } finally {
            for (ServiceProcess p : workers) {
                p.close();
            }
            coordinator.close();
        }
    }

    private static double cpuSeconds(List<ServiceProcess> processes) {
        return processes.stream().mapToDouble(ServiceProcess::cpuSeconds).sum();
    }

    /** JVM options from an environment variable, split on blanks; none when it is unset. */
    private static List<String> extraOptions(String variable) {
        String extra = System.getenv(variable);
        return extra == null || extra.isBlank() ? List.of() : List.of(extra.trim().split("\\s+"));
    }

    /** Runs the warm-up task to its end; returns its id, or -1 when there is none. */
    private long warmUp(String base, Workload w) throws Exception {
        if (warmupExperiments == 0) {
            return -1;
        }
        List<Workload.Job> jobs = new ArrayList<>();
        int[] sizes = {1, 2, 4, 8};
        for (int i = 1; i <= warmupExperiments; i++) {
            jobs.add(new Workload.Job(i, Math.min(sizes[i % sizes.length], w.gpusPerWorker()), 0));
        }
        long started = System.nanoTime();
        long id = submit(base, taskJson(w.name() + "-warmup", new Workload.TaskLoad(w.totalGpus(), jobs)));
        awaitTasks(base, List.of(id), Duration.ofMinutes(10));
        out.printf("  %s: warm-up of %d zero-length experiments done in %.1f s%n", w.name(), warmupExperiments,
                (System.nanoTime() - started) / 1e9);
        return id;
    }

    /** A task that runs exactly the workload's experiments, in order, with the list strategy. */
    static String taskJson(String name, Workload.TaskLoad load) {
        StringBuilder configurations = new StringBuilder();
        for (Workload.Job j : load.jobs()) {
            if (configurations.length() > 0) {
                configurations.append(',');
            }
            configurations.append("{\"tp-size\":").append(j.gpus()).append(",\"sim-hold-ms\":").append(j.durationMs())
                    .append(",\"bench-seq\":").append(j.seq()).append('}');
        }
        return """
                {"task_name": "%s", "model": {"id_or_path": "bench/sim-8b"}, "base_runtime": "sim",
                 "parameters": {"tp-size": [1, 2, 4, 8],
                                "sim-hold-ms": {"type": "integer", "low": 0, "high": 3600000},
                                "bench-seq": {"type": "integer", "low": 1, "high": 1000000}},
                 "optimization": {"strategy": "list", "max_parallel_experiments": %d, "max_retries": 0,
                                  "timeout_per_iteration": 3600, "configurations": [%s]}}"""
                .formatted(name, load.window(), configurations);
    }

    private long submit(String base, String json) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/tasks"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("task refused: " + r.body());
        }
        return ((Number) JSON.readValue(r.body(), new TypeReference<Map<String, Object>>() { }).get("id")).longValue();
    }

    /**
     * Waits for the tasks to end, asking the API once a second: the figures come from the database,
     * so a finer poll would only add the benchmark's own requests to the coordinator's CPU (each
     * {@code GET /api/tasks/{id}} counts the task's experiments; every 200 ms they were a tenth of the
     * coordinator's samples on {@code throughput}).
     */
    private void awaitTasks(String base, List<Long> tasks, Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        for (long id : tasks) {
            while (true) {
                Map<String, Object> task = get(base + "/api/tasks/" + id, new TypeReference<>() { });
                String status = String.valueOf(task.get("status"));
                if (!status.equals("PENDING") && !status.equals("RUNNING")) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("task " + id + " still " + status + " after " + atMost);
                }
                Thread.sleep(POLL_MS);
            }
        }
    }

    private void awaitFleet(String base, int workers, ServiceProcess coordinator, Duration atMost)
            throws InterruptedException {
        awaitFleet(base, workers, coordinator::isAlive, coordinator.log(), atMost);
    }

    /**
     * Waits until the coordinator at {@code base} lists {@code workers} live workers (0: until it
     * answers at all). An answer that is not the coordinator's list (another process on the port, an
     * error page) counts as not yet, and a coordinator that exited ends the wait, naming its log.
     */
    void awaitFleet(String base, int workers, BooleanSupplier coordinatorAlive, Path coordinatorLog, Duration atMost)
            throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!coordinatorAlive.getAsBoolean()) {
                throw new IllegalStateException("the coordinator exited; see " + coordinatorLog);
            }
            try {
                List<Map<String, Object>> live = get(base + "/api/workers", new TypeReference<>() { });
                if (live.stream().filter(m -> Boolean.TRUE.equals(m.get("live"))).count() >= workers) {
                    return;
                }
                last = live.size() + " worker(s) known";
            } catch (IOException | JacksonException notYet) {
                last = notYet.getMessage(); // the coordinator is still starting, or not what answers
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the fleet did not come up within " + atMost + " (last: " + last
                + "); see " + coordinatorLog);
    }

    private <T> T get(String url, TypeReference<T> type) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            String body = r.body();
            throw new IOException("HTTP " + r.statusCode() + " from " + url + ": "
                    + (body.length() > 200 ? body.substring(0, 200) + "..." : body));
        }
        return JSON.readValue(r.body(), type);
    }

    public static boolean answers(URI uri) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(uri.getHost(), uri.getPort() == -1 ? 5672 : uri.getPort()), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Prints the table of all runs. Its dispatch gap leaves out the gaps that end in a whole-node
     * claim, as the goal does: a node emptied for that job idles on purpose (placement, not dispatch);
     * the JSON has both.
     */
    public static void print(PrintStream out, List<Map<String, Object>> results) {
        out.printf("%n%-11s %9s %9s %6s %9s %8s %6s %8s %9s %23s %11s %9s %8s%n", "workload", "makespan", "ideal",
                "eff", "policy", "LB", "LB/ms", "fifo", "seq", "gap p50/p99/max ms", "8-GPU wait", "exp/s", "coord MB");
        for (Map<String, Object> r : results) {
            Map<?, ?> gap = (Map<?, ?>) r.get("dispatch_gap_not_before_whole_node_ms");
            out.printf("%-11s %8.1fs %8.1fs %6.3f %8.1fs %7.1fs %6.3f %7.1fs %8.1fs %23s %10.2fs %9.1f %8.0f%n",
                    r.get("workload"), number(r, "makespan_s"), number(r, "ideal_makespan_s"), number(r, "efficiency"),
                    number(r, "policy_makespan_s"),
                    number(r, "lower_bound_s"), number(r, "bound_ratio"), number(r, "fifo_makespan_s"), number(r, "sequential_s"),
                    String.format("%.1f/%.1f/%.1f", number(gap, "p50"), number(gap, "p99"), number(gap, "max")),
                    number(r, "max_whole_node_wait_s"), number(r, "throughput_per_s"), number(r, "coordinator_peak_rss_mb"));
        }
        out.println("gap: a worker's GPUs idle from a release while work that fitted them waited (until its next claim,"
                + " or until others took that work), without those ending in a whole-node claim (all gaps:"
                + " dispatch_gap_ms in the JSON; to the next claim whatever became of the work:"
                + " dispatch_gap_to_next_claim_ms)");
        printPath(out, results);
    }

    /**
     * Where each experiment's time and CPU went: the stages of {@link ExperimentPath} (mean ms) and
     * CPU ms per experiment of the coordinator, the workers together and a local broker; and why
     * GPUs sat idle ({@link IdleGpuTime}), in % of all GPU time: the system's own overheads
     * (dispatch and coordinator), placement, nothing to run.
     */
    private static void printPath(PrintStream out, List<Map<String, Object>> results) {
        out.printf("%n%-11s %8s %8s %8s %8s %8s %8s   %28s   %24s%n", "workload", "refill", "publish", "claim", "run+",
                "result", "sum ms", "CPU ms/exp coord/work/broker", "GPU idle % sys/place/none");
        for (Map<String, Object> r : results) {
            Map<?, ?> path = (Map<?, ?>) r.get("experiment_path_ms");
            Map<?, ?> cpu = (Map<?, ?>) r.get("cpu_ms_per_experiment");
            Object broker = cpu.get("broker");
            Map<?, ?> idle = (Map<?, ?>) r.get("idle_gpu_s");
            double capacity = Math.max(1e-9, number(idle, "capacity"));
            out.printf("%-11s %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f   %28s   %24s%n", r.get("workload"), mean(path, "refill"),
                    mean(path, "publish"), mean(path, "claim"), mean(path, "run_overhead"), mean(path, "result"),
                    number(path, "sum_of_means"),
                    String.format("%.2f/%.2f/%s", number(cpu, "coordinator"), number(cpu, "workers"),
                            broker == null ? "-" : String.format("%.2f", number(cpu, "broker"))),
                    String.format("%.1f/%.1f/%.1f", 100 * number(idle, "overhead_share"),
                            100 * number(idle, "placement") / capacity, 100 * number(idle, "no_work") / capacity));
        }
    }

    private static double number(Map<?, ?> json, String key) {
        return ((Number) json.get(key)).doubleValue();
    }

    private static double mean(Map<?, ?> path, String stage) {
        return number((Map<?, ?>) path.get(stage), "mean");
    }

    /** Orders the requested workloads. */
    public static List<Workload> workloads(String names) {
        List<Workload> list = new ArrayList<>();
        for (String n : names.split(",")) {
            list.add(Workload.named(n.strip()));
        }
        return list;
    }
}
