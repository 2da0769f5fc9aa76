package io.tunefleet.launcher;

import io.tunefleet.coordinator.CoordinatorApplication;
import io.tunefleet.worker.WorkerApplication;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerPortFileWriter;
import org.springframework.context.ApplicationListener;

/**
 * The {@code tunefleet} command: {@code demo}, {@code standalone}, {@code coordinator},
 * {@code worker}, and the commands that talk to a running coordinator ({@code submit}, {@code tasks},
 * {@code show}, {@code best}, {@code pareto}, {@code cancel}, {@code export}, {@code workers},
 * {@code logs}, {@code watch}; see {@link Commands}).
 */
public final class Main {

    static final String USAGE = """
            usage: tunefleet <command> [options]

              demo [TASK.json]                 coordinator + embedded broker + 2 simulated workers (4 GPUs each)
                                               in one process; runs TASK.json, or the built-in
                                               examples/quickstart.json, and prints the result
              standalone [--port 8080] [--db FILE] [--workers 2] [--gpus-per-worker 4]
                         [--gpus sim|nvidia-smi] [--nvidia-smi PATH]
                                               the same stack, serving the REST API until stopped
              coordinator [--port 8080] [--db FILE] [--rabbitmq amqp://guest:guest@127.0.0.1:5672]
                          [--port-file FILE]   writes the port it serves on there (with --port 0: any free one)
              worker [--gpus sim:4|nvidia-smi] [--id NAME] [--port 8081] [--rabbitmq URI] [--nvidia-smi PATH]
                     [--lock-dir DIR] [--runtime-mode engine|hold] [--sim-run-time 2s] [--heartbeat-interval 2s]
                     [--clean-grace 30s] [--port-file FILE]

            Talking to a running coordinator (every one takes --coordinator URL, default http://127.0.0.1:8080):
              submit TASK.json|TASK.yaml [--watch]
                                               submit a task; --watch follows it with a progress line
              watch ID                         follow a task to its end
              tasks                            all tasks with their progress
              show ID                          one task and its experiments table
              best ID                          the best configuration so far, and why
              pareto ID [--latency e2e_latency_mean_s]
                                               throughput per GPU against latency: the Pareto front
              cancel ID                        cancel a task; workers stop its experiments
              export ID --format csv|json [--output FILE]
                                               the experiments with parameters and metrics
              workers                          the fleet: GPUs free, reserved/busy, quarantined, running
              logs ID EXP                      experiment #EXP of task ID: state, attempts, error

              bench fleet [--workload uniform,mixed,two-tasks,throughput] [--json FILE] [--embedded] [--warmup 20000]
                          [--keep]
                                               real coordinator and worker processes on fixed workloads; makespan
                                               against zero-overhead simulations, dispatch gaps, throughput
              bench store [--experiments 100000] [--json FILE]
                                               coordinator memory and experiments-API page latency at that size
              bench search [--seeds 30] [--json FILE]
                                               strategies against simulated landscapes, in-process
              bench client [--rounds 5] [--json FILE]
                                               the benchmark client's TTFT/TPOT error against a pinned sim engine
              bench broker [--rate 1000] [--seconds 10] [--json FILE]
                                               RabbitMQ's confirm latency and CPU per message, persistent and transient
            """;
    /** Worker options and the property each sets; --port and --rabbitmq are handled on their own. */
    static final Map<String, String> WORKER_OPTIONS = Map.ofEntries(
            Map.entry("gpus", "tunefleet.worker.gpus"),
            Map.entry("id", "tunefleet.worker.id"),
            Map.entry("nvidia-smi", "tunefleet.worker.nvidia-smi"),
            Map.entry("lock-dir", "tunefleet.worker.lock-dir"),
            Map.entry("sim-run-time", "tunefleet.worker.sim-run-time"),
            Map.entry("runtime-mode", "tunefleet.worker.runtime-mode"),
            Map.entry("heartbeat-interval", "tunefleet.worker.heartbeat-interval"),
            Map.entry("poll-interval", "tunefleet.worker.poll-interval"),
            Map.entry("clean-grace", "tunefleet.worker.clean-grace"),
            Map.entry("chaos-duplicate-results", "tunefleet.worker.chaos-duplicate-results"));
    static final String DEFAULT_RABBITMQ = "amqp://guest:guest@127.0.0.1:5672";
    static final String DEFAULT_COORDINATOR = "http://127.0.0.1:8080";
    /**
     * Zero-length experiments each fleet benchmark workload runs first, outside its figures. After
     * 2,000 the coordinator's optimizing compiler still took almost half its CPU during the measured
     * throughput run; after 10,000 a fifth (0.48 ms of coordinator CPU per experiment); after 20,000
     * half that (0.38 ms).
     */
    static final int DEFAULT_BENCH_WARMUP = 20_000;
    /** Auto-configurations the worker must not run though their classes share its classpath. */
    static final String WORKER_EXCLUDES = String.join(",",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration");

    private Main() {
    }

    public static void main(String[] argv) {
        int code = runHandled(Arrays.asList(argv), System.out, System.err);
        if (code >= 0) {
            System.exit(code);
        }
    }

    /**
     * Runs a command and turns its failures into a message for the user on {@code err}: a usage
     * mistake (exit 2) or what the API said is wrong (exit 1), with no stack trace.
     */
    static int runHandled(List<String> argv, PrintStream out, PrintStream err) {
        try {
            return run(argv, out);
        } catch (Args.UsageException e) {
            err.println("tunefleet: " + e.getMessage());
            err.print(USAGE);
            return 2;
        } catch (ApiClient.ApiException e) {
            err.println("tunefleet: " + e.getMessage());
            printProblems(e, err);
            return 1;
        } catch (Exception e) {
            err.println("tunefleet: " + e.getMessage());
            if (System.getenv("TUNEFLEET_DEBUG") != null) {
                e.printStackTrace(err);
            } else {
                err.println("(set TUNEFLEET_DEBUG=1 for the stack trace)");
            }
            return 1;
        }
    }

    /** Runs a command; returns its exit code, or -1 for a server that keeps running. */
    static int run(List<String> argv, PrintStream out) throws Exception {
        if (argv.isEmpty() || argv.get(0).equals("help") || argv.get(0).equals("--help")) {
            out.print(USAGE);
            return 0;
        }
        List<String> rest = argv.subList(1, argv.size());
        return switch (argv.get(0)) {
            case "demo" -> demo(Args.parse(rest, Set.of("port", "db"), Set.of()), out);
            case "standalone" -> standalone(Args.parse(rest,
                    Set.of("port", "db", "workers", "gpus-per-worker", "sim-run-time", "gpus", "nvidia-smi"), Set.of()),
                    out);
            case "coordinator" -> coordinator(Args.parse(rest, Set.of("port", "db", "rabbitmq", "port-file"), Set.of()));
            case "worker" -> worker(Args.parse(rest, workerOptions(), Set.of()));
            case "bench" -> bench(rest, out);
            case "submit" -> submit(Args.parse(rest, Set.of("coordinator"), Set.of("watch")), out);
            case "watch" -> {
                Args args = Args.parse(rest, Set.of("coordinator"), Set.of());
                yield new Watch(api(args), out).follow(id(args, "watch ID"));
            }
            case "tasks" -> {
                Args args = Args.parse(rest, Set.of("coordinator"), Set.of());
                yield commands(args, out).tasks();
            }
            case "show" -> {
                Args args = Args.parse(rest, Set.of("coordinator"), Set.of());
                yield commands(args, out).show(id(args, "show ID"));
            }
            case "best" -> {
                Args args = Args.parse(rest, Set.of("coordinator"), Set.of());
                yield commands(args, out).best(id(args, "best ID"));
            }
            case "pareto" -> {
                Args args = Args.parse(rest, Set.of("coordinator", "latency"), Set.of());
                yield commands(args, out).pareto(id(args, "pareto ID"), args.get("latency", "e2e_latency_mean_s"));
            }
            case "cancel" -> {
                Args args = Args.parse(rest, Set.of("coordinator"), Set.of());
                yield commands(args, out).cancel(id(args, "cancel ID"));
            }
            case "export" -> {
                Args args = Args.parse(rest, Set.of("coordinator", "format", "output"), Set.of());
                if (!args.has("format")) {
                    throw new Args.UsageException("export needs --format csv or --format json");
                }
                yield commands(args, out).export(id(args, "export ID --format csv|json"), args.get("format", ""),
                        args.has("output") ? Path.of(args.get("output", "")) : null);
            }
            case "workers" -> {
                Args args = Args.parse(rest, Set.of("coordinator"), Set.of());
                yield commands(args, out).workers();
            }
            case "logs" -> {
                Args args = Args.parse(rest, Set.of("coordinator"), Set.of());
                long[] ids = ids(args, 2, "logs ID EXP (a task id and an experiment number from show)");
                yield commands(args, out).logs(ids[0], ids[1]);
            }
            default -> throw new Args.UsageException("unknown command '" + argv.get(0) + "'");
        };
    }

    private static ApiClient api(Args args) {
        return new ApiClient(args.get("coordinator", DEFAULT_COORDINATOR));
    }

    private static Commands commands(Args args, PrintStream out) {
        return new Commands(api(args), out);
    }

    /** The one positional argument, a task id; a usage error naming {@code usage} otherwise. */
    private static long id(Args args, String usage) {
        return ids(args, 1, usage)[0];
    }

    /** Exactly {@code count} positional arguments, each a number. */
    private static long[] ids(Args args, int count, String usage) {
        if (args.positional().size() != count) {
            throw new Args.UsageException("usage: tunefleet " + usage);
        }
        long[] ids = new long[count];
        for (int i = 0; i < count; i++) {
            String value = args.positional().get(i);
            try {
                ids[i] = Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new Args.UsageException("'" + value + "' is not an id (a number); usage: tunefleet " + usage);
            }
        }
        return ids;
    }

    private static Set<String> workerOptions() {
        Set<String> options = new java.util.HashSet<>(WORKER_OPTIONS.keySet());
        options.addAll(Set.of("port", "rabbitmq", "port-file"));
        return options;
    }

    static int demo(Args args, PrintStream out) throws Exception {
        boolean builtIn = args.positional().isEmpty();
        String json = builtIn ? TaskFiles.quickstart() : TaskFiles.readAsJson(Path.of(args.positional().get(0)));
        String name = builtIn ? "examples/quickstart.json" : args.positional().get(0);
        Path db = args.has("db") ? Path.of(args.get("db", "")) : Files.createTempFile("tunefleet-demo", ".db");
        out.println("Starting coordinator, embedded AMQP broker and 2 simulated workers with 4 GPUs each...");
        // The demo prints its own progress; the services' per-experiment log lines would drown it.
        try (Stack stack = Stack.start(new Stack.Options(args.intValue("port", 0), db, null, 2, 4,
                Duration.ofMillis(1500), Map.of("logging.level.io.tunefleet", "WARN"))
                .withRuntimeMode(io.tunefleet.worker.runtime.RuntimeMode.ENGINE))) {
            out.println("Coordinator at " + stack.baseUrl() + ", database " + db);
            return new Watch(new ApiClient(stack.baseUrl()), out).submitAndWatch(json, name);
        }
    }

    static int standalone(Args args, PrintStream out) throws Exception {
        Path db = Path.of(args.get("db", "tunefleet.db"));
        Stack.Options options = new Stack.Options(args.intValue("port", 8080), db, null,
                args.intValue("workers", 2), args.intValue("gpus-per-worker", 4),
                Duration.parse("PT" + args.get("sim-run-time", "2S").toUpperCase()), Map.of())
                .withRuntimeMode(args.has("sim-run-time") ? io.tunefleet.worker.runtime.RuntimeMode.HOLD
                        : io.tunefleet.worker.runtime.RuntimeMode.ENGINE);
        String gpus = args.get("gpus", "sim");
        boolean host = gpus.equals("nvidia-smi");
        if (host) {
            if (args.has("workers") || args.has("gpus-per-worker")) {
                throw new Args.UsageException("--gpus nvidia-smi runs one worker on this host's GPUs;"
                        + " drop --workers and --gpus-per-worker");
            }
            options = options.onHostGpus(args.get("nvidia-smi", io.tunefleet.worker.gpu.GpuInventories.DEFAULT_NVIDIA_SMI),
                    Path.of(io.tunefleet.worker.config.WorkerProperties.DEFAULT_LOCK_DIR));
        } else if (!gpus.equals("sim")) {
            throw new Args.UsageException("--gpus must be 'sim' (simulated workers, the default) or 'nvidia-smi'"
                    + " (one worker on this host's GPUs), not '" + gpus + "'");
        } else if (args.has("nvidia-smi")) {
            throw new Args.UsageException("--nvidia-smi only goes with --gpus nvidia-smi");
        }
        Stack stack = Stack.start(options); // closed by its shutdown hook on Ctrl-C
        out.println("tunefleet standalone: API at " + stack.baseUrl() + "/api/tasks, database " + db + ", "
                + (host ? "1 worker on this host's GPUs (" + stack.workers().get(0).pool().total() + ")"
                : stack.workers().size() + " simulated workers") + ". Ctrl-C stops it.");
        return -1;
    }

    static int bench(List<String> argv, PrintStream out) throws Exception {
        if (argv.isEmpty() || !List.of("search", "fleet", "store", "client", "broker").contains(argv.get(0))) {
            throw new Args.UsageException("bench needs a benchmark name: search, fleet, store, client or broker");
        }
        List<String> rest = argv.subList(1, argv.size());
        if (argv.get(0).equals("client")) {
            return ClientBenchmark.run(Args.parse(rest, Set.of("rounds", "json"), Set.of()), out);
        }
        if (argv.get(0).equals("store")) {
            return StoreBenchmark.run(Args.parse(rest, Set.of("experiments", "json"), Set.of()), out);
        }
        if (argv.get(0).equals("broker")) {
            return benchBroker(Args.parse(rest, Set.of("rate", "seconds", "rabbitmq", "json"), Set.of()), out);
        }
        if (argv.get(0).equals("fleet")) {
            return benchFleet(Args.parse(rest, Set.of("workload", "json", "rabbitmq", "warmup"), Set.of("embedded", "keep")),
                    out);
        }
        return SearchBenchmark.run(Args.parse(rest, Set.of("json", "seeds"), Set.of()), out);
    }

    /** What a message costs RabbitMQ on this machine: confirm latency and CPU, persistent and transient. */
    static int benchBroker(Args args, PrintStream out) throws Exception {
        URI rabbit = URI.create(rabbit(args));
        if (!io.tunefleet.launcher.fleetbench.FleetBenchmark.answers(rabbit)) {
            throw new Args.UsageException("no RabbitMQ answers at " + rabbit.getHost() + ":" + rabbit.getPort()
                    + "; start rabbitmq-server or pass --rabbitmq URI");
        }
        int rate = args.intValue("rate", 1000);
        int seconds = args.intValue("seconds", 10);
        out.println("Broker benchmark on RabbitMQ at " + rabbit.getHost() + ":" + rabbit.getPort());
        List<Map<String, Object>> results;
        try {
            results = new io.tunefleet.launcher.fleetbench.BrokerBenchmark(out, rabbit).run(rate, seconds);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
        }
        BenchmarkJson.writeIfAsked(args, results, out);
        return 0;
    }

    /** Runs fleet workloads against RabbitMQ, or the embedded broker with --embedded or when none answers. */
    static int benchFleet(Args args, PrintStream out) throws Exception {
        List<io.tunefleet.launcher.fleetbench.Workload> workloads = io.tunefleet.launcher.fleetbench.FleetBenchmark
                .workloads(args.get("workload", String.join(",", io.tunefleet.launcher.fleetbench.Workload.NAMES)));
        URI rabbit = URI.create(rabbit(args));
        EmbeddedBroker embedded = null;
        if (args.has("embedded") || !io.tunefleet.launcher.fleetbench.FleetBenchmark.answers(rabbit)) {
            embedded = EmbeddedBroker.start(0);
            rabbit = embedded.amqpUri();
            out.println("Fleet benchmark on the embedded AMQP broker at " + rabbit.getHost() + ":" + rabbit.getPort());
        } else {
            out.println("Fleet benchmark on RabbitMQ at " + rabbit.getHost() + ":" + rabbit.getPort());
        }
        try {
            int warmup = args.intValue("warmup", DEFAULT_BENCH_WARMUP);
            if (warmup < 0) {
                throw new Args.UsageException("--warmup must be 0 or more, got " + warmup);
            }
            Path runs = Files.createTempDirectory("tunefleet-bench");
            var bench = new io.tunefleet.launcher.fleetbench.FleetBenchmark(out, rabbit, embedded != null, runs, warmup);
            List<Map<String, Object>> results = new ArrayList<>();
            boolean done = false;
            try {
                for (var w : workloads) {
                    results.add(bench.run(w));
                }
                done = true;
            } finally {
                // Each workload's database and service logs: kept when asked, or to look at a failed run.
                if (done && !args.has("keep")) {
                    org.springframework.util.FileSystemUtils.deleteRecursively(runs);
                } else {
                    out.println("Run files (each workload's database and service logs) kept in " + runs);
                }
            }
            io.tunefleet.launcher.fleetbench.FleetBenchmark.print(out, results);
            BenchmarkJson.writeIfAsked(args, results, out);
            return 0;
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    static int coordinator(Args args) {
        runSpring(CoordinatorApplication.class, coordinatorProperties(args, System.getenv()), portFileWriter(args));
        return -1;
    }

    /**
     * The coordinator's command-line properties: only what an option (or {@code RABBITMQ_URL}) sets, as
     * command-line properties outrank every other source; what is not given there comes from the
     * environment ({@code SERVER_PORT}, {@code TUNEFLEET_COORDINATOR_DATABASE}, …), {@code -D} options or
     * coordinator.yml's defaults (8080, tunefleet.db, 127.0.0.1:5672).
     */
    static List<String> coordinatorProperties(Args args, Map<String, String> env) {
        List<String> props = new ArrayList<>();
        props.add("spring.config.name=" + CoordinatorApplication.CONFIG_NAME);
        given(props, args, "port", "server.port");
        given(props, args, "db", "tunefleet.coordinator.database");
        brokerGiven(args, env).ifPresent(uri -> props.add("spring.rabbitmq.addresses=" + uri));
        return props;
    }

    /** The worker's command-line properties, as {@link #coordinatorProperties} (worker.yml: 8081). */
    static List<String> workerProperties(Args args, Map<String, String> env) {
        List<String> props = new ArrayList<>();
        props.add("spring.config.name=" + WorkerApplication.CONFIG_NAME);
        props.add("spring.autoconfigure.exclude=" + WORKER_EXCLUDES);
        given(props, args, "port", "server.port");
        brokerGiven(args, env).ifPresent(uri -> props.add("spring.rabbitmq.addresses=" + uri));
        WORKER_OPTIONS.forEach((option, property) -> given(props, args, option, property));
        return props;
    }

    private static void given(List<String> props, Args args, String option, String property) {
        if (args.has(option)) {
            props.add(property + "=" + args.get(option, ""));
        }
    }

    /** {@code --rabbitmq}, else {@code RABBITMQ_URL}; empty when neither is given. */
    private static java.util.Optional<String> brokerGiven(Args args, Map<String, String> env) {
        String uri = args.has("rabbitmq") ? args.get("rabbitmq", "") : env.get("RABBITMQ_URL");
        if (uri == null) {
            return java.util.Optional.empty();
        }
        URI.create(uri);
        return java.util.Optional.of(uri);
    }

    /**
     * With {@code --port-file}, Boot writes the port the server bound once it serves, so that a caller
     * can start a service on port 0 and find it there: no port picked in advance that another process
     * could take first.
     */
    private static ApplicationListener<?>[] portFileWriter(Args args) {
        return args.has("port-file")
                ? new ApplicationListener<?>[] {new WebServerPortFileWriter(new java.io.File(args.get("port-file", "")))}
                : new ApplicationListener<?>[0];
    }

    static int worker(Args args) {
        runSpring(WorkerApplication.class, workerProperties(args, System.getenv()), portFileWriter(args));
        return -1;
    }

    static int submit(Args args, PrintStream out) throws Exception {
        if (args.positional().size() != 1) {
            throw new Args.UsageException("submit needs exactly one task file");
        }
        Path task = Path.of(args.positional().get(0));
        ApiClient api = new ApiClient(args.get("coordinator", DEFAULT_COORDINATOR));
        Watch watch = new Watch(api, out);
        String json = TaskFiles.readAsJson(task);
        if (args.has("watch")) {
            return watch.submitAndWatch(json, task.toString());
        }
        Map<String, Object> created = api.submit(json);
        out.println("Submitted task " + created.get("id") + " '" + created.get("name") + "' (" + created.get("status")
                + "); follow it at " + args.get("coordinator", DEFAULT_COORDINATOR) + "/api/tasks/"
                + created.get("id"));
        return 0;
    }

    /**
     * Starts a service with the given properties as command-line arguments, so that they win over
     * the service's own {@code coordinator.yml} or {@code worker.yml} defaults.
     *
     * @param shutdownHook whether Spring closes the context on its own when the JVM exits; false where
     *                     the caller closes it, in an order of its own (the in-process stack)
     */
    static org.springframework.context.ConfigurableApplicationContext runSpring(Class<?> application,
                                                                                 Map<String, ?> properties,
                                                                                 boolean shutdownHook,
                                                                                 ApplicationListener<?>... listeners) {
        String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        return new SpringApplicationBuilder(application).registerShutdownHook(shutdownHook).listeners(listeners)
                .run(args);
    }

    static org.springframework.context.ConfigurableApplicationContext runSpring(Class<?> application,
                                                                                 List<String> properties,
                                                                                 ApplicationListener<?>... listeners) {
        Map<String, String> map = new java.util.LinkedHashMap<>();
        for (String p : properties) {
            int eq = p.indexOf('=');
            map.put(p.substring(0, eq), p.substring(eq + 1));
        }
        return runSpring(application, map, true, listeners);
    }

    /** {@code --rabbitmq}, else {@code RABBITMQ_URL}, else the broker on this host. */
    private static String rabbit(Args args) {
        return brokerGiven(args, System.getenv()).orElse(DEFAULT_RABBITMQ);
    }

    private static void printProblems(ApiClient.ApiException e, PrintStream err) {
        if (e.body != null && e.body.get("problems") instanceof List<?> problems) {
            for (Object p : problems) {
                Map<?, ?> problem = (Map<?, ?>) p;
                err.println("  " + problem.get("path") + ": " + problem.get("message"));
            }
        }
    }
}
