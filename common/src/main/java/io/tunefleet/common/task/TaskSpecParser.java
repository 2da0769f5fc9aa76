package io.tunefleet.common.task;

import io.tunefleet.common.constraint.AllowedGrid;
import io.tunefleet.common.constraint.Constraint;
import io.tunefleet.common.constraint.ConstraintException;
import io.tunefleet.common.constraint.Constraints;
import io.tunefleet.common.param.ChoiceParameter;
import io.tunefleet.common.param.ContinuousParameter;
import io.tunefleet.common.param.EngineArgs;
import io.tunefleet.common.param.GpuRequirement;
import io.tunefleet.common.param.Parameter;
import io.tunefleet.common.param.ParameterSet;
import io.tunefleet.common.param.ParameterSpace;
import io.tunefleet.common.param.IntegerParameter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a task file (the original project's JSON format) and validates all of it at once: every
 * problem is reported with its JSON path, so a user fixes a file in one round.
 */
public final class TaskSpecParser {

    /** Engine flag names: lower-case words joined by dashes or underscores. */
    static final Pattern PARAMETER_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    /** String values reach an engine's argv: allow what flags take, nothing a shell would read. */
    static final Pattern SAFE_VALUE = Pattern.compile("[A-Za-z0-9._:/=+@-]{1,128}");
    static final Pattern SCENARIO = Pattern.compile(
            "D\\(\\d+,\\d+\\)|[NU]\\(\\d+(\\.\\d+)?,\\d+(\\.\\d+)?\\)/\\(\\d+(\\.\\d+)?,\\d+(\\.\\d+)?\\)");
    static final Set<String> RUNTIMES = Set.of("sglang", "vllm", "sim", "custom");
    static final int DEFAULT_GRID_POINTS = 5;
    /** More grid points per range than any search over engine flags needs; a grid is their product. */
    static final int MAX_GRID_POINTS = 1_000;
    /** Integer bounds a JSON number holds exactly (2^53 - 1), so that high - low + 1 never overflows. */
    static final long MAX_INTEGER_BOUND = (1L << 53) - 1;

    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final Pattern NUMBER = Pattern.compile("\\d+(\\.\\d+)?");

    private final List<Problem> problems = new ArrayList<>();
    /**
     * Whether the checks added after tasks were first stored apply: a new submission gets them, a
     * task stored before them is read as it was accepted then (refusing it now would leave its
     * experiments to a spec that cannot be read).
     */
    private final boolean submission;

    private TaskSpecParser(boolean submission) {
        this.submission = submission;
    }

    /**
     * Parses and validates a task file as submitted.
     *
     * @throws InvalidTaskException listing every problem found
     */
    public static TaskSpec parse(String json) {
        return parse(json, true);
    }

    /**
     * Parses a task file the coordinator stored when it accepted it, without the checks added since
     * (parameters the worker sets, an SLO's unknown keys): the task runs on as it was accepted.
     *
     * @throws InvalidTaskException listing every problem found
     */
    public static TaskSpec parseStored(String json) {
        return parse(json, false);
    }

    private static TaskSpec parse(String json, boolean submission) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new InvalidTaskException(List.of(new Problem("$", "not valid JSON: " + e.getOriginalMessage())));
        }
        return new TaskSpecParser(submission).task(root, json);
    }

    /** The SLO as read, a null anywhere in it read as absent (the spec keeps an immutable copy, which holds no null). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> withoutNulls(Map<String, Object> map) {
        Map<String, Object> kept = new java.util.LinkedHashMap<>();
        map.forEach((k, v) -> {
            if (v instanceof Map<?, ?> nested) {
                kept.put(k, withoutNulls((Map<String, Object>) nested));
            } else if (v != null) {
                kept.put(k, v);
            }
        });
        return kept;
    }

    private TaskSpec task(JsonNode root, String json) {
        if (root == null || !root.isObject()) {
            throw new InvalidTaskException(List.of(new Problem("$", "must be a JSON object")));
        }
        String name = requiredString(root, "task_name", "$.task_name");
        String description = optionalString(root, "description", "$.description", "");
        String model = null;
        JsonNode modelNode = root.get("model");
        if (modelNode == null || modelNode.isNull()) {
            problem("$.model", "is required");
        } else if (!modelNode.isObject()) {
            problem("$.model", "must be an object with id_or_path");
        } else {
            model = requiredString(modelNode, "id_or_path", "$.model.id_or_path");
        }
        String runtime = requiredString(root, "base_runtime", "$.base_runtime");
        if (runtime != null && !RUNTIMES.contains(runtime)) {
            problem("$.base_runtime", "must be one of sglang, vllm, sim, custom; got '" + runtime + "'");
        }
        String imageTag = optionalString(root, "runtime_image_tag", "$.runtime_image_tag", "latest");
        if (imageTag != null && !SAFE_VALUE.matcher(imageTag).matches()) {
            problem("$.runtime_image_tag", "may contain only letters, digits and ._:/=+@-");
        }
        EnginePresets.Expansion expanded = EnginePresets.expand(root, runtime, problems);
        ParameterSpace space = parameters(expanded.parameters(), expanded.paths());
        Constraints constraints = constraints(root.get("constraints"), space);
        OptimizationSpec optimization = optimization(root.get("optimization"), space);
        BenchmarkSpec benchmark = benchmark(root.get("benchmark"));
        if (optimization != null && optimization.objective() == Objective.MINIMIZE_TPOT
                && benchmark.trafficScenarios().stream().allMatch(TaskSpecParser::asksOneOutputToken)) {
            problem("$.optimization.objective", "minimize_tpot needs answers of at least two tokens, and every "
                    + "traffic scenario asks for one: " + benchmark.trafficScenarios());
        }
        Map<String, Object> slo = Map.of();
        JsonNode sloNode = root.get("slo");
        if (sloNode != null && !sloNode.isNull()) {
            if (!sloNode.isObject()) {
                problem("$.slo", "must be an object");
            } else {
                slo = withoutNulls(MAPPER.convertValue(sloNode, Map.class));
                // A stored task is read as it was accepted: a bad value only.
                io.tunefleet.common.scoring.Slo.problems(slo, submission)
                        .forEach(p -> problem("$." + p.getKey(), p.getValue()));
            }
        }
        EngineSpec engine = engine(root.get("engine"), runtime);
        if (!problems.isEmpty()) {
            throw new InvalidTaskException(problems);
        }
        return new TaskSpec(name, description, new ModelSpec(model), runtime, imageTag, space, optimization,
                benchmark, slo, constraints, json, engine);
    }

    /**
     * {@code engine.command}: the task's own engine as an argv list. Required with the {@code custom}
     * runtime, allowed in place of the sglang and vllm presets, not with the simulated engine.
     */
    private EngineSpec engine(JsonNode node, String runtime) {
        if (node == null || node.isNull()) {
            if ("custom".equals(runtime)) {
                problem("$.engine", "is required with base_runtime custom: {\"command\": [\"server\", \"--port\", \"{port}\", ...]}");
            }
            return null;
        }
        if ("sim".equals(runtime)) {
            problem("$.engine", "the simulated engine takes no command");
            return null;
        }
        JsonNode command = node.isObject() ? node.get("command") : null;
        if (command == null || !command.isArray() || command.isEmpty()) {
            problem("$.engine.command", "must be a non-empty list of arguments, the first the program");
            return null;
        }
        List<String> argv = new ArrayList<>();
        boolean port = false;
        for (int i = 0; i < command.size(); i++) {
            JsonNode a = command.get(i);
            if (!a.isString() || a.stringValue().isEmpty() || a.stringValue().chars().anyMatch(Character::isISOControl)) {
                problem("$.engine.command[" + i + "]", "must be a non-empty string without control characters");
                continue;
            }
            port |= a.stringValue().contains("{port}");
            argv.add(a.stringValue());
        }
        if (!port) {
            problem("$.engine.command", "must pass {port}: the engine has to listen on the port the worker reserved");
        }
        return argv.size() == command.size() ? new EngineSpec(argv) : null;
    }

    private ParameterSpace parameters(JsonNode node, Map<String, String> paths) {
        if (node == null || node.isNull()) {
            problem("$.parameters", "is required");
            return null;
        }
        if (!node.isObject() || node.isEmpty()) {
            problem("$.parameters", "must be a non-empty object of parameter name to values");
            return null;
        }
        List<Parameter> parameters = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            String path = paths.getOrDefault(entry.getKey(), "$.parameters." + entry.getKey());
            if (!PARAMETER_NAME.matcher(entry.getKey()).matches()) {
                problem(path, "parameter names must be lower-case letters, digits, '-' or '_'");
                continue;
            }
            java.util.Optional<String> reserved = submission ? EngineArgs.reservedForTheWorker(entry.getKey())
                    : java.util.Optional.empty();
            if (reserved.isPresent()) {
                problem(path, reserved.get());
                continue;
            }
            Parameter p = entry.getValue().isArray() ? choice(entry.getKey(), entry.getValue(), path)
                    : longForm(entry.getKey(), entry.getValue(), path);
            if (p != null) {
                parameters.add(p);
            }
        }
        return new ParameterSpace(parameters);
    }

    private Constraints constraints(JsonNode node, ParameterSpace space) {
        String path = "$.constraints";
        if (node == null || node.isNull()) {
            return Constraints.none();
        }
        if (!node.isArray()) {
            problem(path, "must be a list of expressions such as \"tp-size * dp-size <= 8\"");
            return Constraints.none();
        }
        List<Constraint> all = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode c = node.get(i);
            if (!c.isString() || c.stringValue().isBlank()) {
                problem(path + "[" + i + "]", "must be a non-empty string");
                continue;
            }
            if (space == null) {
                continue;
            }
            try {
                all.add(Constraint.parse(c.stringValue(), space.parameters()));
            } catch (ConstraintException e) {
                problem(path + "[" + i + "]", e.getMessage());
            }
        }
        Constraints constraints = new Constraints(all);
        // Decided over the constrained parameters only, so also for a grid far too large to walk.
        if (!all.isEmpty() && all.size() == node.size() && AllowedGrid.of(space, constraints).knownEmpty()) {
            problem(path, "no configuration of the parameter grid satisfies all constraints");
        }
        return constraints;
    }

    /**
     * Whether every request of a {@link #SCENARIO} asks for one output token (a drawn length is rounded
     * and at least 1): {@code D(in,out)} with out below 1.5, {@code U(..)/(lo,hi)} with hi below 1.5,
     * {@code N(..)/(mean,sd)} with sd 0 and mean below 1.5. Such answers have no time per output token.
     */
    static boolean asksOneOutputToken(String scenario) {
        List<Double> n = NUMBER.matcher(scenario).results().map(r -> Double.parseDouble(r.group())).toList();
        return switch (scenario.charAt(0)) {
            case 'D' -> Math.round(n.get(1)) <= 1;
            case 'U' -> Math.round(n.get(3)) <= 1;
            default -> n.get(3) == 0 && Math.round(n.get(2)) <= 1;
        };
    }

    private Parameter choice(String name, JsonNode array, String path) {
        if (array.isEmpty()) {
            problem(path, "must list at least one value");
            return null;
        }
        List<Object> values = new ArrayList<>();
        boolean parallelism = GpuRequirement.isParallelismFlag(name);
        for (int i = 0; i < array.size(); i++) {
            Object v = scalar(array.get(i), path + "[" + i + "]");
            if (v == null) {
                continue;
            }
            if (parallelism && !(v instanceof Long l && l >= 1 && l <= GpuRequirement.MAX_SIZE)) {
                problem(path + "[" + i + "]", "a parallelism size must be an integer from 1 to "
                        + GpuRequirement.MAX_SIZE);
                continue;
            }
            if (values.contains(v)) {
                problem(path + "[" + i + "]", "duplicate value " + v);
                continue;
            }
            values.add(v);
        }
        return values.isEmpty() ? null : new ChoiceParameter(name, values);
    }

    private Object scalar(JsonNode v, String path) {
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return v.longValue();
        }
        if (v.isNumber()) {
            if (!Double.isFinite(v.doubleValue())) {
                problem(path, "must be a finite number, got " + v);
                return null;
            }
            return v.doubleValue();
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isString()) {
            if (!SAFE_VALUE.matcher(v.stringValue()).matches()) {
                problem(path, "value '" + v.stringValue() + "' may contain only letters, digits and ._:/=+@-");
                return null;
            }
            return v.stringValue();
        }
        problem(path, "must be a number, string or boolean");
        return null;
    }

    private Parameter longForm(String name, JsonNode node, String path) {
        if (!node.isObject()) {
            problem(path, "must be a list of values or an object with a type");
            return null;
        }
        String type = requiredString(node, "type", path + ".type");
        if (type == null) {
            return null;
        }
        switch (type) {
            case "choice" -> {
                JsonNode values = node.get("values");
                if (values == null || !values.isArray()) {
                    problem(path + ".values", "is required and must be a list");
                    return null;
                }
                return choice(name, values, path + ".values");
            }
            case "integer", "continuous" -> {
                Double low = requiredNumber(node, "low", path + ".low");
                Double high = requiredNumber(node, "high", path + ".high");
                boolean log = optionalBoolean(node, "log", path + ".log", false);
                int points = optionalInt(node, "grid_points", path + ".grid_points", DEFAULT_GRID_POINTS, 2);
                if (low == null || high == null) {
                    return null;
                }
                if (points > MAX_GRID_POINTS) {
                    problem(path + ".grid_points", "must be at most " + MAX_GRID_POINTS + ", got " + points);
                    return null;
                }
                if (low > high) {
                    problem(path, "low (" + low + ") must not exceed high (" + high + ")");
                    return null;
                }
                if (log && low <= 0) {
                    problem(path + ".low", "must be > 0 when log is true");
                    return null;
                }
                if (type.equals("integer")) {
                    if (low != Math.rint(low) || high != Math.rint(high)) {
                        problem(path, "low and high of an integer parameter must be integers");
                        return null;
                    }
                    if (Math.abs(low) > MAX_INTEGER_BOUND || Math.abs(high) > MAX_INTEGER_BOUND) {
                        problem(path, "low and high of an integer parameter must lie within ±" + MAX_INTEGER_BOUND);
                        return null;
                    }
                    if (GpuRequirement.isParallelismFlag(name) && low < 1) {
                        problem(path + ".low", "a parallelism size must be at least 1");
                        return null;
                    }
                    if (GpuRequirement.isParallelismFlag(name) && high > GpuRequirement.MAX_SIZE) {
                        problem(path + ".high", "a parallelism size must be at most " + GpuRequirement.MAX_SIZE);
                        return null;
                    }
                    return new IntegerParameter(name, low.longValue(), high.longValue(), log, points);
                }
                if (GpuRequirement.isParallelismFlag(name)) {
                    problem(path + ".type", "a parallelism size must be a choice or an integer");
                    return null;
                }
                if (!Double.isFinite(high - low)) {
                    problem(path, "the range high - low must be a finite number, got " + low + " to " + high);
                    return null;
                }
                return new ContinuousParameter(name, low, high, log, points);
            }
            default -> {
                problem(path + ".type", "must be one of choice, integer, continuous; got '" + type + "'");
                return null;
            }
        }
    }

    private OptimizationSpec optimization(JsonNode node, ParameterSpace space) {
        String path = "$.optimization";
        if (node != null && !node.isNull() && !node.isObject()) {
            problem(path, "must be an object");
            node = null;
        }
        if (node == null || node.isNull()) {
            node = MAPPER.createObjectNode();
        }
        String strategyName = optionalString(node, "strategy", path + ".strategy", "grid_search");
        StrategyKind strategy = null;
        if (strategyName != null) {
            strategy = StrategyKind.fromWireName(strategyName).orElse(null);
            if (strategy == null) {
                problem(path + ".strategy", "unknown strategy '" + strategyName
                        + "'; use grid_search, random, bayesian or list");
            }
        }
        String objectiveName = optionalString(node, "objective", path + ".objective", "minimize_latency");
        Objective objective = null;
        if (objectiveName != null) {
            objective = Objective.fromWireName(objectiveName).orElse(null);
            if (objective == null) {
                problem(path + ".objective", "unknown objective '" + objectiveName
                        + "'; use minimize_latency, maximize_throughput, minimize_ttft or minimize_tpot");
            }
        }
        List<ParameterSet> configurations = configurations(node.get("configurations"), space, strategy,
                path + ".configurations");
        int maxIterations = optionalInt(node, "max_iterations", path + ".max_iterations",
                strategy == StrategyKind.LIST && !configurations.isEmpty() ? configurations.size()
                        : OptimizationSpec.DEFAULT_MAX_ITERATIONS, 1);
        int maxParallel = optionalInt(node, "max_parallel_experiments", path + ".max_parallel_experiments",
                OptimizationSpec.DEFAULT_MAX_PARALLEL, 1);
        int timeout = optionalInt(node, "timeout_per_iteration", path + ".timeout_per_iteration",
                (int) OptimizationSpec.DEFAULT_TIMEOUT.toSeconds(), 1);
        int seed = optionalInt(node, "seed", path + ".seed", (int) OptimizationSpec.DEFAULT_SEED, 0);
        int maxRetries = optionalInt(node, "max_retries", path + ".max_retries",
                OptimizationSpec.DEFAULT_MAX_RETRIES, 0);
        int initialRandom = optionalInt(node, "n_initial_random", path + ".n_initial_random", 0, 1);
        return new OptimizationSpec(strategy, objective, maxIterations, maxParallel, Duration.ofSeconds(timeout),
                seed, maxRetries, initialRandom, stopping(node, path), configurations);
    }

    /**
     * {@code optimization.configurations}, required by the {@code list} strategy: each an object with
     * a value for every parameter, a value the parameter allows, and nothing else.
     */
    private List<ParameterSet> configurations(JsonNode node, ParameterSpace space, StrategyKind strategy, String path) {
        boolean wanted = strategy == StrategyKind.LIST;
        if (node == null || node.isNull()) {
            if (wanted) {
                problem(path, "is required by the list strategy: a list of parameter objects");
            }
            return List.of();
        }
        if (!wanted) {
            problem(path, "is only used by the list strategy");
            return List.of();
        }
        if (!node.isArray() || node.isEmpty()) {
            problem(path, "must be a non-empty list of parameter objects");
            return List.of();
        }
        if (space == null) {
            return List.of();
        }
        List<ParameterSet> configurations = new ArrayList<>();
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String at = path + "[" + i + "]";
            JsonNode c = node.get(i);
            if (!c.isObject()) {
                problem(at, "must be an object of parameter values");
                continue;
            }
            java.util.Map<String, Object> values = new java.util.LinkedHashMap<>();
            boolean ok = true;
            for (Parameter p : space.parameters()) {
                JsonNode v = c.get(p.name());
                Object value = v == null || v.isNull() ? null : scalar(v, at + "." + p.name());
                if (value == null) {
                    if (v == null || v.isNull()) {
                        problem(at + "." + p.name(), "is missing");
                    }
                    ok = false;
                } else if (!allows(p, value)) {
                    problem(at + "." + p.name(), "value " + value + " is outside what the parameter allows");
                    ok = false;
                } else {
                    values.put(p.name(), value);
                }
            }
            for (String name : c.propertyNames()) {
                if (space.parameters().stream().noneMatch(p -> p.name().equals(name))) {
                    problem(at + "." + name, "is not a parameter of this task");
                    ok = false;
                }
            }
            if (ok) {
                ParameterSet set = ParameterSet.of(values);
                if (!keys.add(set.key())) {
                    problem(at, "repeats an earlier configuration");
                } else {
                    configurations.add(set);
                }
            }
        }
        return configurations;
    }

    private static boolean allows(Parameter p, Object value) {
        if (p instanceof ChoiceParameter c) {
            return c.values().stream().anyMatch(v -> ParameterSet.of(java.util.Map.of("v", v)).key()
                    .equals(ParameterSet.of(java.util.Map.of("v", value)).key()));
        }
        if (!(value instanceof Number n)) {
            return false;
        }
        double d = n.doubleValue();
        if (p instanceof IntegerParameter i) {
            return d == Math.rint(d) && d >= i.low() && d <= i.high();
        }
        ContinuousParameter c = (ContinuousParameter) p;
        return d >= c.low() && d <= c.high();
    }

    private StoppingSpec stopping(JsonNode node, String path) {
        int patience = 0;
        double minImprovement = StoppingSpec.DEFAULT_MIN_IMPROVEMENT_PCT;
        JsonNode p = node.get("patience");
        if (p != null && !p.isNull()) {
            if (!p.isObject()) {
                problem(path + ".patience", "must be an object {experiments, min_improvement_pct}");
            } else {
                JsonNode e = p.get("experiments");
                if (e == null || e.isNull()) {
                    problem(path + ".patience.experiments", "is required");
                } else {
                    patience = optionalInt(p, "experiments", path + ".patience.experiments", 0, 1);
                }
                minImprovement = optionalNumber(p, "min_improvement_pct", path + ".patience.min_improvement_pct",
                        StoppingSpec.DEFAULT_MIN_IMPROVEMENT_PCT, 0, 100);
            }
        }
        int maxFailed = optionalInt(node, "max_failed_experiments", path + ".max_failed_experiments", 0, 1);
        double budget = 0;
        JsonNode b = node.get("gpu_hours_budget");
        if (b != null && !b.isNull()) {
            if (!b.isNumber() || !(b.doubleValue() > 0) || !Double.isFinite(b.doubleValue())) {
                problem(path + ".gpu_hours_budget", "must be a number of GPU hours greater than 0");
            } else {
                budget = b.doubleValue();
            }
        }
        return new StoppingSpec(patience, minImprovement, maxFailed, budget);
    }

    private double optionalNumber(JsonNode parent, String field, String path, double fallback, double min,
                                  double max) {
        JsonNode v = parent.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber() || v.doubleValue() < min || v.doubleValue() > max) {
            problem(path, "must be a number from " + min + " to " + max);
            return fallback;
        }
        return v.doubleValue();
    }

    private BenchmarkSpec benchmark(JsonNode node) {
        String path = "$.benchmark";
        if (node == null || node.isNull()) {
            return BenchmarkSpec.defaults();
        }
        if (!node.isObject()) {
            problem(path, "must be an object");
            return BenchmarkSpec.defaults();
        }
        List<String> scenarios = new ArrayList<>(BenchmarkSpec.DEFAULT_SCENARIOS);
        JsonNode s = node.get("traffic_scenarios");
        if (s != null && !s.isNull()) {
            scenarios.clear();
            if (!s.isArray() || s.isEmpty()) {
                problem(path + ".traffic_scenarios", "must be a non-empty list such as [\"D(100,100)\"]");
            } else {
                for (int i = 0; i < s.size(); i++) {
                    JsonNode v = s.get(i);
                    if (!v.isString() || !SCENARIO.matcher(v.stringValue().replace(" ", "")).matches()) {
                        problem(path + ".traffic_scenarios[" + i + "]",
                                "must be D(in,out), N(mean,sd)/(mean,sd) or U(min,max)/(min,max)");
                    } else {
                        scenarios.add(v.stringValue().replace(" ", ""));
                    }
                }
            }
        }
        List<Integer> concurrency = new ArrayList<>(BenchmarkSpec.DEFAULT_CONCURRENCY);
        JsonNode c = node.get("num_concurrency");
        if (c != null && !c.isNull()) {
            concurrency.clear();
            if (!c.isArray() || c.isEmpty()) {
                problem(path + ".num_concurrency", "must be a non-empty list of positive integers");
            } else {
                for (int i = 0; i < c.size(); i++) {
                    JsonNode v = c.get(i);
                    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 1) {
                        problem(path + ".num_concurrency[" + i + "]", "must be a positive integer");
                    } else {
                        concurrency.add(v.intValue());
                    }
                }
            }
        }
        int maxTime = optionalInt(node, "max_time_per_iteration", path + ".max_time_per_iteration",
                BenchmarkSpec.DEFAULT_MAX_TIME_S, 1);
        int maxRequests = optionalInt(node, "max_requests_per_iteration", path + ".max_requests_per_iteration",
                BenchmarkSpec.DEFAULT_MAX_REQUESTS, 1);
        return new BenchmarkSpec(scenarios, concurrency, maxTime, maxRequests);
    }

    private String requiredString(JsonNode parent, String field, String path) {
        JsonNode v = parent.get(field);
        if (v == null || v.isNull()) {
            problem(path, "is required");
            return null;
        }
        if (!v.isString() || v.stringValue().isBlank()) {
            problem(path, "must be a non-empty string");
            return null;
        }
        return v.stringValue();
    }

    private String optionalString(JsonNode parent, String field, String path, String fallback) {
        JsonNode v = parent.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isString()) {
            problem(path, "must be a string");
            return null;
        }
        return v.stringValue();
    }

    private Double requiredNumber(JsonNode parent, String field, String path) {
        JsonNode v = parent.get(field);
        if (v == null || v.isNull()) {
            problem(path, "is required");
            return null;
        }
        if (!v.isNumber()) {
            problem(path, "must be a number");
            return null;
        }
        if (!Double.isFinite(v.doubleValue())) {
            problem(path, "must be a finite number, got " + v);
            return null;
        }
        return v.doubleValue();
    }

    private boolean optionalBoolean(JsonNode parent, String field, String path, boolean fallback) {
        JsonNode v = parent.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            problem(path, "must be true or false");
            return fallback;
        }
        return v.booleanValue();
    }

    private int optionalInt(JsonNode parent, String field, String path, int fallback, int min) {
        JsonNode v = parent.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            problem(path, "must be an integer");
            return fallback;
        }
        if (v.intValue() < min) {
            problem(path, "must be at least " + min + ", got " + v.intValue());
            return fallback;
        }
        return v.intValue();
    }

    private void problem(String path, String message) {
        problems.add(new Problem(path, message));
    }
}
