package io.tunefleet.launcher;

import io.tunefleet.common.param.ParameterSet;
import io.tunefleet.common.param.ParameterSpace;
import io.tunefleet.common.task.TaskSpec;
import io.tunefleet.common.task.TaskSpecParser;
import io.tunefleet.coordinator.strategy.Outcome;
import io.tunefleet.coordinator.strategy.Strategies;
import io.tunefleet.coordinator.strategy.Strategy;
import io.tunefleet.worker.runtime.SimPerformanceModel;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * {@code tunefleet bench search [--seeds 30] [--json FILE]}: runs grid, random and bayesian search
 * against objective landscapes in process, in simulated time, without a broker, and prints how many
 * experiments and rounds (batches of k parallel experiments) each needs to come within 2 % of the best
 * value, for k = 1, 4 and 8, over many seeds.
 *
 * <p>Landscapes: the sim engine's performance model ({@link SimPerformanceModel}) on an SGLang and a vLLM
 * parameter space with a constraint and an infeasible (out-of-memory) region, and two standard test
 * functions on mixed continuous/integer/categorical spaces (Branin, Hartmann-6). For the engine
 * landscapes "within 2 %" is relative to the best value over the whole grid; test functions have
 * optima near 0, so there it means within 2 % of the range between the optimum and the median value.
 */
final class SearchBenchmark {

    static final int[] PARALLELISM = {1, 4, 8};
    static final List<String> STRATEGIES = List.of("grid_search", "random", "bayesian");
    static final double TOLERANCE = 0.02;
    /** The most experiments one search may run on an infinite space. */
    static final int BUDGET = 400;

    private SearchBenchmark() {
    }

    /** @param budget the most experiments one search runs: the whole grid of a finite space, else {@link #BUDGET} */
    record Landscape(String name, String taskJson, Function<ParameterSet, Outcome> evaluate, boolean higherIsBetter,
                     double best, double target, int budget) {

        boolean reached(double v) {
            return higherIsBetter ? v >= target : v <= target;
        }
    }

    record Row(String landscape, String strategy, int k, int runs, int reached, double expMean, double expSd,
               double expMedian, double roundMean, double roundSd) {
    }

    /** Runs the benchmark without the launcher: {@code search [--seeds N] [--json FILE]}. */
    public static void main(String[] argv) throws Exception {
        System.exit(run(Args.parse(Arrays.asList(argv), Set.of("json", "seeds"), Set.of()), System.out));
    }

    static int run(Args args, PrintStream out) throws Exception {
        if (args.positional().size() != 1 || !args.positional().get(0).equals("search")) {
            throw new Args.UsageException("bench takes one benchmark name: search");
        }
        int seeds = args.intValue("seeds", 30);
        long started = System.nanoTime();
        List<Landscape> landscapes = List.of(sglang(), vllm(), branin(), hartmann());
        List<Row> rows = new ArrayList<>();
        out.printf(Locale.ROOT, "Search benchmark: %d seeds, within %.0f %% of the best; experiments and rounds to"
                + " reach it (mean ± sd, median), runs that reached it%n", seeds, TOLERANCE * 100);
        out.printf(Locale.ROOT, "%-22s %-12s %2s  %-26s %-16s %s%n", "landscape", "strategy", "k",
                "experiments", "rounds", "reached");
        for (Landscape l : landscapes) {
            for (String strategy : STRATEGIES) {
                for (int k : PARALLELISM) {
                    int n = strategy.equals("grid_search") ? 1 : seeds;
                    Row row = measure(l, strategy, k, n);
                    rows.add(row);
                    out.printf(Locale.ROOT, "%-22s %-12s %2d  %6.1f ± %-6.1f (%6.1f)    %6.1f ± %-6.1f  %d/%d%n",
                            row.landscape, row.strategy, row.k, row.expMean, row.expSd, row.expMedian,
                            row.roundMean, row.roundSd, row.reached, row.runs);
                }
            }
        }
        out.println();
        out.println("Goals: bayesian k=1 experiments <= 20 % of grid's; bayesian k=4 rounds <= 30 % of its k=1 rounds"
                + " with <= 25 % extra experiments");
        for (Landscape l : landscapes) {
            Row grid = find(rows, l.name, "grid_search", 1);
            Row b1 = find(rows, l.name, "bayesian", 1);
            Row b4 = find(rows, l.name, "bayesian", 4);
            Row b8 = find(rows, l.name, "bayesian", 8);
            String vsGrid = grid.reached == 0 ? "  n/a (grid did not reach it in " + (int) grid.expMean + ")"
                    : String.format(Locale.ROOT, "%5.1f %%", 100 * b1.expMean / grid.expMean);
            out.printf(Locale.ROOT, "%-22s bayes/grid experiments %s   k=4 rounds %5.1f %% of k=1, experiments %+5.1f %%"
                            + "   k=8 rounds %5.1f %%, experiments %+5.1f %%%s%n", l.name, vsGrid,
                    100 * b4.roundMean / b1.roundMean, 100 * (b4.expMean / b1.expMean - 1),
                    100 * b8.roundMean / b1.roundMean, 100 * (b8.expMean / b1.expMean - 1),
                    b1.reached < b1.runs ? "   (censored: runs that did not reach it count their whole budget)" : "");
        }
        out.printf(Locale.ROOT, "(%.1f s)%n", (System.nanoTime() - started) / 1e9);
        BenchmarkJson.writeIfAsked(args, rows, out);
        return 0;
    }

    private static Row find(List<Row> rows, String landscape, String strategy, int k) {
        return rows.stream().filter(r -> r.landscape.equals(landscape) && r.strategy.equals(strategy) && r.k == k)
                .findFirst().orElseThrow();
    }

    static Row measure(Landscape l, String strategy, int k, int seeds) {
        double[] exps = new double[seeds];
        double[] rounds = new double[seeds];
        int reached = 0;
        for (int s = 0; s < seeds; s++) {
            TaskSpec spec = TaskSpecParser.parse(l.taskJson.replace("\"STRATEGY\"", "\"" + strategy + "\"")
                    .replace("\"SEED\"", Integer.toString(1000 + s)));
            int[] result = search(l, Strategies.create(spec, Set.of()), k);
            exps[s] = result[0];
            rounds[s] = result[1];
            reached += result[2];
        }
        return new Row(l.name, strategy, k, seeds, reached, mean(exps), sd(exps), median(exps), mean(rounds), sd(rounds));
    }

    /** Runs rounds of k suggestions, then their results; returns {experiments, rounds, reached 0/1}. */
    static int[] search(Landscape l, Strategy strategy, int k) {
        int experiments = 0;
        for (int round = 1; experiments < l.budget; round++) {
            List<ParameterSet> batch = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                Optional<ParameterSet> next = strategy.suggest();
                while (next.isEmpty() && strategy.ended().isEmpty()) {
                    next = strategy.suggest(); // paused at its budget: goes on
                }
                if (next.isEmpty()) {
                    break;
                }
                batch.add(next.get());
            }
            if (batch.isEmpty()) {
                return new int[] {experiments, round - 1, 0};
            }
            Integer hit = null;
            for (ParameterSet config : batch) {
                experiments++;
                Outcome o = l.evaluate.apply(config);
                strategy.observe(config, o);
                if (hit == null && o.succeeded() && l.reached(o.objective())) {
                    hit = experiments;
                }
            }
            if (hit != null) {
                return new int[] {hit, round, 1};
            }
        }
        return new int[] {experiments, (experiments + k - 1) / k, 0};
    }

    // ---- landscapes --------------------------------------------------------------------------

    static Landscape sglang() {
        String model = "meta-llama/Llama-3.1-70B-Instruct";
        String json = """
                {"task_name": "bench-sglang-70b", "model": {"id_or_path": "%s"}, "base_runtime": "sglang",
                 "parameters": {"tp-size": [1, 2, 4, 8], "dp-size": [1, 2, 4, 8],
                   "mem-fraction-static": [0.7, 0.75, 0.8, 0.85, 0.9, 0.95],
                   "chunked-prefill-size": [1024, 2048, 4096, 8192, 16384],
                   "schedule-policy": ["fcfs", "lpm", "dfs-weight", "random"], "enable-torch-compile": [false, true]},
                 "constraints": ["tp-size * dp-size <= 8"],
                 "optimization": {"strategy": "STRATEGY", "objective": "minimize_latency", "seed": "SEED"}}
                """.formatted(model);
        return engine("sglang-70b-latency", json, model, 64, 512, 256, "e2e_latency_mean_s", false);
    }

    static Landscape vllm() {
        String model = "meta-llama/Llama-3.1-8B-Instruct";
        String json = """
                {"task_name": "bench-vllm-8b", "model": {"id_or_path": "%s"}, "base_runtime": "vllm",
                 "parameters": {"tensor-parallel-size": [1, 2, 4], "data-parallel-size": [1, 2, 4],
                   "gpu-memory-utilization": {"type": "choice", "values": [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55,
                      0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]},
                   "max-num-batched-tokens": [512, 1024, 2048, 4096, 8192, 16384], "block-size": [8, 16, 32]},
                 "constraints": ["tensor-parallel-size * data-parallel-size <= 8"],
                 "optimization": {"strategy": "STRATEGY", "objective": "maximize_throughput", "seed": "SEED"}}
                """.formatted(model);
        return engine("vllm-8b-throughput", json, model, 256, 2048, 256, "output_tokens_per_s_per_gpu", true);
    }

    private static Landscape engine(String name, String json, String model, int concurrency, int in, int out,
                                    String metric, boolean higher) {
        Function<ParameterSet, Outcome> f = config -> {
            Optional<SimPerformanceModel.Failure> failure = SimPerformanceModel.failure(config, model);
            if (failure.isPresent()) {
                return Outcome.failed(failure.get().failureClass());
            }
            return Outcome.succeeded(SimPerformanceModel.predict(config, model, concurrency, in, out).get(metric));
        };
        TaskSpec spec = TaskSpecParser.parse(json.replace("\"STRATEGY\"", "\"grid_search\"").replace("\"SEED\"", "1"));
        ParameterSpace space = spec.parameters();
        double best = higher ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        for (long i = 0; i < space.gridSize(); i++) {
            ParameterSet p = space.gridPoint(i);
            Outcome o = spec.constraints().allows(p) ? f.apply(p) : Outcome.failed(null);
            if (o.succeeded()) {
                best = higher ? Math.max(best, o.objective()) : Math.min(best, o.objective());
            }
        }
        double target = higher ? best * (1 - TOLERANCE) : best * (1 + TOLERANCE);
        return new Landscape(name, json, f, higher, best, target, (int) Math.max(BUDGET, space.gridSize()));
    }

    /** Branin on x1 continuous, x2 integer and a categorical offset; optimum and median found by enumeration. */
    static Landscape branin() {
        String json = """
                {"task_name": "bench-branin", "model": {"id_or_path": "test"}, "base_runtime": "sim",
                 "parameters": {"x1": {"type": "continuous", "low": -5, "high": 10, "grid_points": 16},
                   "x2": {"type": "integer", "low": 0, "high": 15}, "variant": ["a", "b", "c"]},
                 "optimization": {"strategy": "STRATEGY", "objective": "minimize_latency", "seed": "SEED"}}
                """;
        Function<ParameterSet, Double> f = p -> {
            double x1 = ((Number) p.get("x1")).doubleValue();
            double x2 = ((Number) p.get("x2")).doubleValue();
            double b = 5.1 / (4 * Math.PI * Math.PI);
            double c = 5 / Math.PI;
            double v = Math.pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
            return v + switch ((String) p.get("variant")) {
                case "b" -> 2.0;
                case "c" -> 5.0;
                default -> 0.0;
            };
        };
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i <= 3000; i++) {
            for (int x2 = 0; x2 <= 15; x2++) {
                best = Math.min(best, f.apply(ParameterSet.of(Map.of("x1", -5 + 15.0 * i / 3000, "x2", (long) x2,
                        "variant", "a"))));
            }
        }
        return synthetic("branin-mixed", json, f, best);
    }

    /** Hartmann-6 on 3 continuous and 3 integer (0..10, scaled by 1/10) dimensions. */
    static Landscape hartmann() {
        String json = """
                {"task_name": "bench-hartmann6", "model": {"id_or_path": "test"}, "base_runtime": "sim",
                 "parameters": {"x1": {"type": "continuous", "low": 0, "high": 1}, "x2": {"type": "continuous", "low": 0, "high": 1},
                   "x3": {"type": "continuous", "low": 0, "high": 1}, "i4": {"type": "integer", "low": 0, "high": 10},
                   "i5": {"type": "integer", "low": 0, "high": 10}, "i6": {"type": "integer", "low": 0, "high": 10}},
                 "optimization": {"strategy": "STRATEGY", "objective": "minimize_latency", "seed": "SEED"}}
                """;
        Function<ParameterSet, Double> f = p -> hartmann6(new double[] {num(p, "x1"), num(p, "x2"), num(p, "x3"),
                num(p, "i4") / 10, num(p, "i5") / 10, num(p, "i6") / 10});
        // The integer dimensions take 11 values each; the continuous ones are searched on a 1/50 lattice.
        double best = Double.POSITIVE_INFINITY;
        double[] bestX = null;
        double[] x = new double[6];
        for (int d = 0; d <= 10; d++) {
            for (int e = 0; e <= 10; e++) {
                for (int g = 0; g <= 10; g++) {
                    x[3] = d / 10.0;
                    x[4] = e / 10.0;
                    x[5] = g / 10.0;
                    for (int a = 0; a <= 50; a += 5) {
                        for (int b = 0; b <= 50; b += 5) {
                            for (int c = 0; c <= 50; c += 5) {
                                x[0] = a / 50.0;
                                x[1] = b / 50.0;
                                x[2] = c / 50.0;
                                double v = hartmann6(x);
                                if (v < best) {
                                    best = v;
                                    bestX = x.clone();
                                }
                            }
                        }
                    }
                }
            }
        }
        // Refine the continuous coordinates of the best lattice point by repeated fine line scans.
        for (int pass = 0; pass < 4; pass++) {
            for (int dim = 0; dim < 3; dim++) {
                double center = bestX[dim];
                for (int i = -100; i <= 100; i++) {
                    double[] y = bestX.clone();
                    y[dim] = Math.min(1, Math.max(0, center + i * 0.001));
                    double v = hartmann6(y);
                    if (v < best) {
                        best = v;
                        bestX = y;
                    }
                }
            }
        }
        return synthetic("hartmann6-mixed", json, f, best);
    }

    /**
     * A test-function landscape: the target is within 2 % of the range between the optimum and the median
     * value of 20 000 uniform random configurations.
     */
    private static Landscape synthetic(String name, String json, Function<ParameterSet, Double> f, double best) {
        TaskSpec spec = TaskSpecParser.parse(json.replace("\"STRATEGY\"", "\"random\"").replace("\"SEED\"", "1"));
        SplittableRandom random = new SplittableRandom(7);
        double[] sample = new double[20_000];
        for (int i = 0; i < sample.length; i++) {
            sample[i] = f.apply(spec.parameters().sample(random));
            best = Math.min(best, sample[i]);
        }
        double target = best + TOLERANCE * (median(sample) - best);
        return new Landscape(name, json, p -> Outcome.succeeded(f.apply(p)), false, best, target, BUDGET);
    }

    private static final double[] H_ALPHA = {1.0, 1.2, 3.0, 3.2};
    private static final double[][] H_A = {{10, 3, 17, 3.5, 1.7, 8}, {0.05, 10, 17, 0.1, 8, 14},
        {3, 3.5, 1.7, 10, 17, 8}, {17, 8, 0.05, 10, 0.1, 14}};
    private static final double[][] H_P = {{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
        {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991}, {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
        {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};

    static double hartmann6(double[] x) {
        double sum = 0;
        for (int i = 0; i < 4; i++) {
            double inner = 0;
            for (int j = 0; j < 6; j++) {
                inner += H_A[i][j] * (x[j] - H_P[i][j]) * (x[j] - H_P[i][j]);
            }
            sum += H_ALPHA[i] * Math.exp(-inner);
        }
        return -sum;
    }

    private static double num(ParameterSet p, String name) {
        return ((Number) p.get(name)).doubleValue();
    }

    static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    static double sd(double[] v) {
        double m = mean(v);
        return v.length < 2 ? 0 : Math.sqrt(Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / (v.length - 1));
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
