package io.tunefleet.common.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tunefleet.common.param.ChoiceParameter;
import io.tunefleet.common.param.ContinuousParameter;
import io.tunefleet.common.param.IntegerParameter;
import io.tunefleet.common.param.Parameter;
import io.tunefleet.common.param.ParameterSet;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

class TaskSpecParserTest {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    // ---- valid files -------------------------------------------------------------------------

    @Test
    void fullTaskInTheOriginalProjectsFormatParsesWithEveryValue() {
        String json = resource("tasks/sglang-full.json");

        TaskSpec task = TaskSpecParser.parse(json);

        assertThat(task.name()).isEqualTo("llama-3-2-1b-sglang-tune");
        assertThat(task.description()).isEqualTo("Tune SGLang serving of Llama 3.2 1B for throughput under an SLO");
        assertThat(task.model().idOrPath()).isEqualTo("meta-llama/Llama-3.2-1B-Instruct");
        assertThat(task.baseRuntime()).isEqualTo("sglang");
        assertThat(task.runtimeImageTag()).isEqualTo("v0.5.2-cu126");
        assertThat(task.json()).isEqualTo(json);
    }

    @Test
    void fullTaskKeepsParametersInFileOrderWithTheirShortAndLongForms() {
        TaskSpec task = TaskSpecParser.parse(resource("tasks/sglang-full.json"));

        List<Parameter> params = task.parameters().parameters();
        assertThat(params).extracting(Parameter::name).containsExactly(
                "tp-size", "mem-fraction-static", "schedule-policy", "enable-torch-compile",
                "chunked-prefill-size", "max-running-requests", "schedule-conservativeness", "attention-backend");
        assertThat(params.get(0)).isEqualTo(new ChoiceParameter("tp-size", List.of(1L, 2L, 4L)));
        assertThat(params.get(1)).isEqualTo(new ChoiceParameter("mem-fraction-static", List.of(0.8, 0.85)));
        assertThat(params.get(2)).isEqualTo(new ChoiceParameter("schedule-policy", List.of("lpm", "fcfs")));
        assertThat(params.get(3)).isEqualTo(new ChoiceParameter("enable-torch-compile", List.of(true, false)));
        assertThat(params.get(4)).isEqualTo(new IntegerParameter("chunked-prefill-size", 2048, 16384, true, 4));
        assertThat(params.get(5)).isEqualTo(new IntegerParameter("max-running-requests", 16, 32, false,
                TaskSpecParser.DEFAULT_GRID_POINTS));
        assertThat(params.get(6)).isEqualTo(new ContinuousParameter("schedule-conservativeness", 0.3, 1.5, true,
                TaskSpecParser.DEFAULT_GRID_POINTS));
        assertThat(params.get(7)).isEqualTo(new ChoiceParameter("attention-backend", List.of("flashinfer", "triton")));
        // 3 tp x 2 mem x 2 policy x 2 compile x 4 chunked x 17 running x 5 conservativeness x 2 backends
        assertThat(task.parameters().gridSize()).isEqualTo(16_320L);
    }

    @Test
    void fullTaskReadsOptimizationBenchmarkAndSlo() {
        TaskSpec task = TaskSpecParser.parse(resource("tasks/sglang-full.json"));

        assertThat(task.optimization()).isEqualTo(new OptimizationSpec(StrategyKind.RANDOM,
                Objective.MAXIMIZE_THROUGHPUT, 40, 4, Duration.ofSeconds(900), 7, 3));
        assertThat(task.benchmark().trafficScenarios())
                .containsExactly("D(100,100)", "N(480,240)/(300,150)", "U(50,100)/(200,300)");
        assertThat(task.benchmark().numConcurrency()).containsExactly(1, 4, 8);
        assertThat(task.benchmark().maxTimePerIterationSeconds()).isEqualTo(30);
        assertThat(task.benchmark().maxRequestsPerIteration()).isEqualTo(200);

        assertThat(task.slo()).containsKeys("ttft", "tpot", "latency", "steepness");
        assertThat(((Number) task.slo().get("steepness")).doubleValue()).isEqualTo(0.1);
        Map<?, ?> p90 = (Map<?, ?>) ((Map<?, ?>) task.slo().get("latency")).get("p90");
        assertThat(((Number) p90.get("threshold")).doubleValue()).isEqualTo(5.0);
        assertThat(p90.get("hard_fail")).isEqualTo(true);
        assertThat(((Number) p90.get("fail_ratio")).doubleValue()).isEqualTo(0.2);
    }

    @Test
    void minimalTaskGetsDocumentedDefaults() {
        TaskSpec task = TaskSpecParser.parse(resource("tasks/minimal.json"));

        assertThat(task.description()).isEmpty();
        assertThat(task.baseRuntime()).isEqualTo("vllm");
        assertThat(task.runtimeImageTag()).isEqualTo("latest");
        assertThat(task.optimization()).isEqualTo(new OptimizationSpec(StrategyKind.GRID_SEARCH,
                Objective.MINIMIZE_LATENCY, OptimizationSpec.DEFAULT_MAX_ITERATIONS, OptimizationSpec.DEFAULT_MAX_PARALLEL,
                OptimizationSpec.DEFAULT_TIMEOUT, OptimizationSpec.DEFAULT_SEED, OptimizationSpec.DEFAULT_MAX_RETRIES));
        assertThat(task.optimization().maxParallelExperiments()).isEqualTo(1);
        assertThat(task.benchmark()).isEqualTo(BenchmarkSpec.defaults());
        assertThat(task.benchmark().trafficScenarios()).containsExactly("D(100,100)");
        assertThat(task.slo()).isEmpty();
    }

    @Test
    void unknownFieldsOfTheOriginalProjectAreTolerated() {
        ObjectNode task = validTask();
        task.put("deployment_mode", "ome");
        ((ObjectNode) task.get("model")).put("namespace", "autotuner");
        task.put("some_future_field", 12);

        TaskSpec parsed = TaskSpecParser.parse(write(task));

        assertThat(parsed.model().idOrPath()).isEqualTo("meta-llama/Llama-3.2-1B-Instruct");
    }

    @Test
    void spacesInsideTrafficScenariosAreAcceptedAndRemoved() {
        ObjectNode task = validTask();
        ((ObjectNode) task.get("benchmark")).set("traffic_scenarios", node("[\"D(100, 100)\", \"N(480,240)/(300, 150)\"]"));

        assertThat(TaskSpecParser.parse(write(task)).benchmark().trafficScenarios())
                .containsExactly("D(100,100)", "N(480,240)/(300,150)");
    }

    @Test
    void underscoreParallelismNamesAreValidatedLikeDashedOnes() {
        ObjectNode task = validTask();
        ((ObjectNode) task.get("parameters")).set("tensor_parallel_size", node("[2, 0]"));

        assertThat(problemPaths(write(task))).containsExactly("$.parameters.tensor_parallel_size[1]");
    }

    // ---- invalid files: every problem at once, by JSON path ---------------------------------

    @Test
    void missingTaskNameModelAndParametersAreReportedTogether() {
        ObjectNode task = validTask();
        task.remove("task_name");
        task.remove("model");
        task.remove("parameters");

        assertThat(problemPaths(write(task))).containsExactlyInAnyOrder("$.task_name", "$.model", "$.parameters");
    }

    @Test
    void wrongTypesAreEachReportedByPath() {
        ObjectNode task = validTask();
        task.put("task_name", 5);
        task.put("description", 3);
        task.put("base_runtime", true);
        task.set("parameters", node("[1, 2]"));
        task.put("slo", "fast please");
        ((ObjectNode) task.get("optimization")).put("max_iterations", "ten");
        ((ObjectNode) task.get("optimization")).put("timeout_per_iteration", 1.5);
        ((ObjectNode) task.get("benchmark")).put("num_concurrency", "4");
        ((ObjectNode) task.get("model")).put("id_or_path", 42);

        assertThat(problemPaths(write(task))).containsExactlyInAnyOrder(
                "$.task_name", "$.description", "$.base_runtime", "$.parameters", "$.slo",
                "$.optimization.max_iterations", "$.optimization.timeout_per_iteration",
                "$.benchmark.num_concurrency", "$.model.id_or_path");
    }

    @Test
    void numbersNoSearchCanUseAreRejectedWhereTheyStand() {
        ObjectNode task = validTask();
        ObjectNode parameters = (ObjectNode) task.get("parameters");
        parameters.set("infinite-high", node("{\"type\": \"continuous\", \"low\": 0, \"high\": \"BIG\"}"));
        parameters.set("infinite-choice", node("[1, \"BIG\"]"));
        parameters.set("range-overflows", node("{\"type\": \"continuous\", \"low\": -1e308, \"high\": 1e308}"));
        parameters.set("past-2-to-53", node("{\"type\": \"integer\", \"low\": 0, \"high\": 1e19}"));
        parameters.set("too-many-points", node("{\"type\": \"integer\", \"low\": 0, \"high\": 9, \"grid_points\": 2000000000}"));
        parameters.set("tp-size", node("[1, 4294967298]"));
        // 1e400 is a JSON number that reads as infinity; a tree cannot hold it as written.
        String json = write(task).replace("\"BIG\"", "1e400");

        InvalidTaskException e = invalid(json);
        assertThat(paths(e)).containsExactlyInAnyOrder("$.parameters.infinite-high.high",
                "$.parameters.infinite-choice[1]", "$.parameters.range-overflows", "$.parameters.past-2-to-53",
                "$.parameters.too-many-points.grid_points", "$.parameters.tp-size[1]");
        assertThat(e.problems()).extracting(Problem::message).anySatisfy(m -> assertThat(m).contains("finite"))
                .anySatisfy(m -> assertThat(m).contains("9007199254740991"))
                .anySatisfy(m -> assertThat(m).contains("at most 1000"))
                .anySatisfy(m -> assertThat(m).contains("from 1 to 1024"));
    }

    @Test
    void modelThatIsNotAnObjectIsReportedAtModel() {
        ObjectNode task = validTask();
        task.put("model", "meta-llama/Llama-3.2-1B-Instruct");

        assertThat(problemPaths(write(task))).containsExactly("$.model");
    }

    @Test
    void emptyParameterValueListIsReportedAtThatParameter() {
        ObjectNode task = validTask();
        ((ObjectNode) task.get("parameters")).set("tp-size", node("[]"));

        assertThat(problemPaths(write(task))).containsExactly("$.parameters.tp-size");
    }

    @Test
    void emptyParametersObjectIsRejected() {
        ObjectNode task = validTask();
        task.set("parameters", node("{}"));

        assertThat(problemPaths(write(task))).containsExactly("$.parameters");
    }

    @Test
    void zeroParallelExperimentsIsRejected() {
        ObjectNode task = validTask();
        ((ObjectNode) task.get("optimization")).put("max_parallel_experiments", 0);

        InvalidTaskException e = invalid(write(task));
        assertThat(paths(e)).containsExactly("$.optimization.max_parallel_experiments");
        assertThat(e.problems().get(0).message()).contains("at least 1");
    }

    @Test
    void unknownStrategyIsRejectedNamingIt() {
        ObjectNode task = validTask();
        ((ObjectNode) task.get("optimization")).put("strategy", "simulated_annealing");

        InvalidTaskException e = invalid(write(task));
        assertThat(paths(e)).containsExactly("$.optimization.strategy");
        assertThat(e.getMessage()).contains("simulated_annealing");
    }

    @Test
    void bayesianStrategyIsAcceptedWithItsStartPointsAndStoppingRules() {
        ObjectNode task = validTask();
        ObjectNode o = (ObjectNode) task.get("optimization");
        o.put("strategy", "bayesian");
        o.put("n_initial_random", 6);
        o.set("patience", node("{\"experiments\": 10, \"min_improvement_pct\": 2.5}"));
        o.put("max_failed_experiments", 5);
        o.put("gpu_hours_budget", 12.5);

        OptimizationSpec spec = TaskSpecParser.parse(write(task)).optimization();

        assertThat(spec.strategy()).isEqualTo(StrategyKind.BAYESIAN);
        assertThat(spec.initialRandomPoints(8)).isEqualTo(6);
        assertThat(spec.stopping()).isEqualTo(new StoppingSpec(10, 2.5, 5, 12.5));
    }

    @Test
    void defaultStartPointsAreTwoPerParameterWithinBounds() {
        OptimizationSpec spec = TaskSpecParser.parse(resource("tasks/minimal.json")).optimization();
        assertThat(spec.initialRandomPoints(1)).isEqualTo(OptimizationSpec.MIN_INITIAL_RANDOM);
        assertThat(spec.initialRandomPoints(4)).isEqualTo(8);
        assertThat(spec.initialRandomPoints(9)).isEqualTo(OptimizationSpec.MAX_INITIAL_RANDOM);
        assertThat(spec.stopping()).isEqualTo(StoppingSpec.none());
    }

    @Test
    void badStoppingRulesAreNamedByPath() {
        ObjectNode task = validTask();
        ObjectNode o = (ObjectNode) task.get("optimization");
        o.put("n_initial_random", 0);
        o.set("patience", node("{\"min_improvement_pct\": -1}"));
        o.put("max_failed_experiments", "many");
        o.put("gpu_hours_budget", 0);

        InvalidTaskException e = invalid(write(task));

        assertThat(paths(e)).containsExactlyInAnyOrder("$.optimization.n_initial_random",
                "$.optimization.patience.experiments", "$.optimization.patience.min_improvement_pct",
                "$.optimization.max_failed_experiments", "$.optimization.gpu_hours_budget");
    }

    @Test
    void constraintsAreParsedAndApplied() {
        ObjectNode task = validTask();
        task.set("constraints", node("[\"tp-size * 2 <= 4\", \"schedule-policy == 'lpm' or tp-size == 1\"]"));

        TaskSpec spec = TaskSpecParser.parse(write(task));

        assertThat(spec.constraints().all()).hasSize(2);
        ParameterSet sample = spec.parameters().gridPoint(0);
        Map<String, Object> values = new java.util.TreeMap<>(sample.values());
        values.put("tp-size", 4L);
        assertThat(spec.constraints().allows(ParameterSet.of(values))).isFalse();
        values.put("tp-size", 2L);
        values.put("schedule-policy", "lpm");
        assertThat(spec.constraints().allows(ParameterSet.of(values))).isTrue();
    }

    @Test
    void everyBadConstraintIsNamedByItsIndex() {
        ObjectNode task = validTask();
        task.set("constraints", node("[\"tp-size * dp-size <= 8\", \"tp-size <= \", 7, \"tp-size <= 8\"]"));

        InvalidTaskException e = invalid(write(task));

        assertThat(paths(e)).containsExactly("$.constraints[0]", "$.constraints[1]", "$.constraints[2]");
        assertThat(e.problems().get(0).message()).contains("unknown parameter 'dp-size'");
        assertThat(e.problems().get(1).message()).contains("ends too early");
    }

    @Test
    void constraintsNoConfigurationCanMeetAreRejected() {
        ObjectNode task = validTask();
        task.set("constraints", node("[\"tp-size > 4\"]"));

        InvalidTaskException e = invalid(write(task));

        assertThat(paths(e)).containsExactly("$.constraints");
    }

    @Test
    void constraintsNoConfigurationOfAGridOfBillionsCanMeetAreRejected() {
        ObjectNode task = validTask();
        ObjectNode parameters = (ObjectNode) task.get("parameters");
        for (String name : List.of("max-prefill-tokens", "max-total-tokens", "stream-interval")) {
            parameters.set(name, node("{\"type\": \"integer\", \"low\": 1, \"high\": 100000, \"grid_points\": 1000}"));
        }
        assertThat(TaskSpecParser.parse(write(task)).parameters().gridSize()).isGreaterThan(1_000_000_000L);
        task.set("constraints", node("[\"tp-size > 4\"]"));

        InvalidTaskException e = invalid(write(task));

        assertThat(paths(e)).containsExactly("$.constraints");
        assertThat(e.problems().get(0).message()).contains("no configuration");
    }

    @Test
    void unknownObjectiveIsRejectedNamingIt() {
        ObjectNode task = validTask();
        ((ObjectNode) task.get("optimization")).put("objective", "maximize_happiness");

        InvalidTaskException e = invalid(write(task));
        assertThat(paths(e)).containsExactly("$.optimization.objective");
        assertThat(e.getMessage()).contains("maximize_happiness");
    }

    @Test
    void minimizingTpotWhenEveryScenarioAsksOneOutputTokenIsRejected() {
        ObjectNode task = validTask();
        ((ObjectNode) task.get("optimization")).put("objective", "minimize_tpot");
        task.putObject("benchmark").putArray("traffic_scenarios").add("D(100,1)").add("D(2000, 1)")
                .add("D(100,0)").add("D(100,01)").add("U(10,20)/(1,1)").add("U(10,20)/(0,1.4)")
                .add("N(100,10)/(1,0)").add("N(100,10)/(1.0,0.0)");

        InvalidTaskException e = invalid(write(task));
        assertThat(paths(e)).containsExactly("$.optimization.objective");
        assertThat(e.getMessage()).contains("at least two tokens");

        assertThat(List.of("D(100,2)", "U(10,20)/(1,2)", "N(100,10)/(1,0.5)", "N(100,10)/(2,0)"))
                .noneMatch(TaskSpecParser::asksOneOutputToken);
        ((ArrayNode) task.get("benchmark").get("traffic_scenarios")).add("D(100,10)"); // one scenario measures it
        assertThat(TaskSpecParser.parse(write(task)).optimization().objective()).isEqualTo(Objective.MINIMIZE_TPOT);
    }

    @Test
    void unknownBaseRuntimeIsRejected() {
        ObjectNode task = validTask();
        task.put("base_runtime", "tgi");

        assertThat(problemPaths(write(task))).containsExactly("$.base_runtime");
    }

    @Test
    void badTrafficScenariosAreReportedByIndex() {
        ObjectNode task = validTask();
        ((ObjectNode) task.get("benchmark")).set("traffic_scenarios",
                node("[\"D(100,100)\", \"X(1,2)\", \"N(480,240)\", \"D(100;rm,1)\", 7]"));

        assertThat(problemPaths(write(task))).containsExactlyInAnyOrder(
                "$.benchmark.traffic_scenarios[1]", "$.benchmark.traffic_scenarios[2]",
                "$.benchmark.traffic_scenarios[3]", "$.benchmark.traffic_scenarios[4]");
    }

    @Test
    void nonPositiveConcurrencyIsReportedByIndex() {
        ObjectNode task = validTask();
        ((ObjectNode) task.get("benchmark")).set("num_concurrency", node("[1, 0, 2.5, -4]"));

        assertThat(problemPaths(write(task))).containsExactlyInAnyOrder(
                "$.benchmark.num_concurrency[1]", "$.benchmark.num_concurrency[2]", "$.benchmark.num_concurrency[3]");
    }

    @Test
    void shellMetacharactersInAParameterValueAreRejectedNamingTheValuePath() {
        ObjectNode task = validTask();
        ((ObjectNode) task.get("parameters")).set("schedule-policy", node("[\"lpm\", \"1; rm -rf /\"]"));

        InvalidTaskException e = invalid(write(task));
        assertThat(paths(e)).containsExactly("$.parameters.schedule-policy[1]");
        assertThat(e.getMessage()).contains("1; rm -rf /");
    }

    @Test
    void shellMetacharactersInALongFormChoiceAreRejectedToo() {
        ObjectNode task = validTask();
        ((ObjectNode) task.get("parameters")).set("attention-backend",
                node("{\"type\": \"choice\", \"values\": [\"triton\", \"$(reboot)\"]}"));

        assertThat(problemPaths(write(task))).containsExactly("$.parameters.attention-backend.values[1]");
    }

    @Test
    void unsafeRuntimeImageTagIsRejected() {
        ObjectNode task = validTask();
        task.put("runtime_image_tag", "latest && curl evil");

        assertThat(problemPaths(write(task))).containsExactly("$.runtime_image_tag");
    }

    @Test
    void unsafeParameterNameIsRejected() {
        ObjectNode task = validTask();
        ((ObjectNode) task.get("parameters")).set("tp-size --rm", node("[1]"));

        assertThat(problemPaths(write(task))).containsExactly("$.parameters.tp-size --rm");
    }

    @Test
    void aParameterThatWouldOverrideAFlagTheWorkerSetsIsRejectedByName() {
        ObjectNode task = validTask();
        ((ObjectNode) task.get("parameters")).set("port", node("[31000]"));
        ((ObjectNode) task.get("parameters")).set("model_path", node("[\"/models/other\"]"));

        assertThat(problemPaths(write(task))).containsExactlyInAnyOrder("$.parameters.port", "$.parameters.model_path");
        assertThatThrownBy(() -> TaskSpecParser.parse(write(task))).hasMessageContaining(
                "'port' is not the task's to set: the engine listens on the port the worker reserved");
    }

    @Test
    void tpSizeZeroAndFractionalAreRejectedByIndex() {
        ObjectNode task = validTask();
        ((ObjectNode) task.get("parameters")).set("tp-size", node("[0, 1.5, 2]"));

        assertThat(problemPaths(write(task)))
                .containsExactlyInAnyOrder("$.parameters.tp-size[0]", "$.parameters.tp-size[1]");
    }

    @Test
    void tpSizeAsLongFormMustStartAtOneAndNotBeContinuous() {
        ObjectNode task = validTask();
        ((ObjectNode) task.get("parameters")).set("tp-size", node("{\"type\": \"integer\", \"low\": 0, \"high\": 4}"));
        ((ObjectNode) task.get("parameters")).set("pp-size", node("{\"type\": \"continuous\", \"low\": 1, \"high\": 2}"));

        assertThat(problemPaths(write(task)))
                .containsExactlyInAnyOrder("$.parameters.tp-size.low", "$.parameters.pp-size.type");
    }

    @Test
    void badLongFormsAreReportedAtTheirField() {
        ObjectNode task = validTask();
        ObjectNode params = (ObjectNode) task.get("parameters");
        params.set("a", node("{\"type\": \"integer\", \"low\": 8, \"high\": 2}"));
        params.set("b", node("{\"type\": \"continuous\", \"low\": 0, \"high\": 1, \"log\": true}"));
        params.set("c", node("{\"type\": \"integer\", \"low\": 1.5, \"high\": 4}"));
        params.set("d", node("{\"type\": \"normal\", \"low\": 1, \"high\": 4}"));
        params.set("e", node("{\"type\": \"continuous\", \"high\": 4}"));
        params.set("f", node("{\"type\": \"choice\"}"));
        params.set("g", node("{\"low\": 1}"));
        params.set("h", node("3"));
        params.set("i", node("{\"type\": \"integer\", \"low\": 1, \"high\": 64, \"grid_points\": 1}"));
        params.set("j", node("[1, 1]"));
        params.set("k", node("[[1], {\"x\": 1}]"));

        assertThat(problemPaths(write(task))).containsExactlyInAnyOrder(
                "$.parameters.a", "$.parameters.b.low", "$.parameters.c", "$.parameters.d.type",
                "$.parameters.e.low", "$.parameters.f.values", "$.parameters.g.type", "$.parameters.h",
                "$.parameters.i.grid_points", "$.parameters.j[1]", "$.parameters.k[0]", "$.parameters.k[1]");
    }

    @Test
    void manyProblemsInOneFileAreAllReportedInOneRound() {
        ObjectNode task = validTask();
        task.remove("task_name");
        ((ObjectNode) task.get("parameters")).set("tp-size", node("[]"));
        ((ObjectNode) task.get("parameters")).set("schedule-policy", node("[\"1; rm -rf /\"]"));
        ((ObjectNode) task.get("optimization")).put("max_parallel_experiments", 0);
        ((ObjectNode) task.get("optimization")).put("strategy", "hill_climb");
        ((ObjectNode) task.get("optimization")).put("objective", "minimize_cost");
        ((ObjectNode) task.get("benchmark")).set("traffic_scenarios", node("[\"D(100)\"]"));

        InvalidTaskException e = invalid(write(task));

        assertThat(paths(e)).containsExactlyInAnyOrder(
                "$.task_name", "$.parameters.tp-size", "$.parameters.schedule-policy[0]",
                "$.optimization.max_parallel_experiments", "$.optimization.strategy",
                "$.optimization.objective", "$.benchmark.traffic_scenarios[0]");
        for (Problem p : e.problems()) {
            assertThat(e.getMessage()).contains(p.path());
        }
    }

    @Test
    void nonJsonInputIsOneProblemAtTheRoot() {
        InvalidTaskException e = invalid("{task_name: oops");

        assertThat(paths(e)).containsExactly("$");
        assertThat(e.problems().get(0).message()).contains("not valid JSON");
    }

    @Test
    void jsonArrayRootIsRejectedAsNotAnObject() {
        InvalidTaskException e = invalid("[" + resource("tasks/minimal.json") + "]");

        assertThat(paths(e)).containsExactly("$");
        assertThat(e.problems().get(0).message()).contains("object");
    }

    @Test
    void emptyAndScalarInputsAreRejectedAtTheRoot() {
        assertThat(problemPaths("")).containsExactly("$");
        assertThat(problemPaths("null")).containsExactly("$");
        assertThat(problemPaths("42")).containsExactly("$");
    }

    @Test
    void invalidTaskExceptionListIsImmutable() {
        InvalidTaskException e = invalid("[]");
        assertThatThrownBy(() -> e.problems().add(new Problem("$.x", "y")))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static InvalidTaskException invalid(String json) {
        InvalidTaskException e = catchThrowableOfType(() -> TaskSpecParser.parse(json), InvalidTaskException.class);
        assertThat(e).as("expected the task to be rejected").isNotNull();
        return e;
    }

    private static List<String> problemPaths(String json) {
        return paths(invalid(json));
    }

    private static List<String> paths(InvalidTaskException e) {
        return e.problems().stream().map(Problem::path).toList();
    }

    private static ObjectNode validTask() {
        return (ObjectNode) MAPPER.readTree(resource("tasks/sglang-full.json"));
    }

    private static JsonNode node(String json) {
        return MAPPER.readTree(json);
    }

    private static String write(JsonNode node) {
        return MAPPER.writeValueAsString(node);
    }

    static String resource(String name) {
        try (InputStream in = TaskSpecParserTest.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as("test resource %s", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
