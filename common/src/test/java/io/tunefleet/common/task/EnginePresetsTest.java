package io.tunefleet.common.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tunefleet.common.param.ChoiceParameter;
import io.tunefleet.common.param.EngineArgs;
import io.tunefleet.common.param.GpuRequirement;
import io.tunefleet.common.param.IntegerParameter;
import io.tunefleet.common.param.Parameter;
import io.tunefleet.common.param.ParameterSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class EnginePresetsTest {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    /** A valid task for {@code runtime} with {@code extra} top-level fields, written as JSON members. */
    private static String task(String runtime, String parameters, String extra) {
        return """
                {"task_name": "t", "model": {"id_or_path": "m"}, "base_runtime": "%s",
                 %s %s}
                """.formatted(runtime, parameters == null ? "" : "\"parameters\": " + parameters + ",",
                extra.isEmpty() ? "\"description\": \"\"" : extra);
    }

    private static Map<String, Parameter> byName(TaskSpec task) {
        Map<String, Parameter> out = new java.util.LinkedHashMap<>();
        task.parameters().parameters().forEach(p -> out.put(p.name(), p));
        return out;
    }

    private static List<Problem> problems(String json) {
        InvalidTaskException e = catchThrowableOfType(() -> TaskSpecParser.parse(json), InvalidTaskException.class);
        assertThat(e).as("expected the task to be rejected").isNotNull();
        return e.problems();
    }

    private static ParameterSet point(Map<String, Object> values) {
        return ParameterSet.of(values);
    }

    // ---- expansion ---------------------------------------------------------------------------

    @Test
    void sglangBlocksBecomeSglangFlagsAfterTheTasksOwnParameters() {
        TaskSpec task = TaskSpecParser.parse(task("sglang", "{\"mem-fraction-static\": [0.8, 0.9]}", """
                "parallel_config": {"tp": [1, 2], "pp": 2, "dp": [1, 4], "moe_dense_tp": 1},
                "quant_config": {"gemm_dtype": "fp8", "kvcache_dtype": ["auto", "fp8"]}
                """));

        Map<String, Parameter> p = byName(task);
        assertThat(p.keySet()).containsExactly("mem-fraction-static", "tp-size", "pp-size", "dp-size",
                "moe-dense-tp-size", "quantization", "kv-cache-dtype");
        assertThat(p.get("tp-size")).isEqualTo(new ChoiceParameter("tp-size", List.of(1L, 2L)));
        assertThat(p.get("pp-size")).isEqualTo(new ChoiceParameter("pp-size", List.of(2L)));
        assertThat(p.get("quantization")).isEqualTo(new ChoiceParameter("quantization", List.of("fp8")));
        // SGLang reads a plain fp8 KV cache as fp8_e5m2, as the original maps it
        assertThat(p.get("kv-cache-dtype"))
                .isEqualTo(new ChoiceParameter("kv-cache-dtype", List.of("auto", "fp8_e5m2")));
    }

    @Test
    void sglangGpuRequirementIsTpTimesPpTimesDp() {
        TaskSpec task = TaskSpecParser.parse(task("sglang", null,
                "\"parallel_config\": {\"tp\": [1, 2], \"pp\": 2, \"dp\": [1, 4]}"));

        List<Integer> gpus = new ArrayList<>();
        for (long i = 0; i < task.parameters().gridSize(); i++) {
            gpus.add(GpuRequirement.of(task.parameters().gridPoint(i)));
        }
        // grid order: tp slowest, dp fastest
        assertThat(gpus).containsExactly(2, 8, 4, 16);
        assertThat(EngineArgs.of(task.parameters().gridPoint(3)))
                .containsExactly("--dp-size", "4", "--pp-size", "2", "--tp-size", "2");
    }

    @Test
    void vllmBlocksBecomeVllmFlagsAndTheGpuRequirementCountsTpPpDp() {
        TaskSpec task = TaskSpecParser.parse(task("vllm", "{\"max-num-seqs\": [64]}", """
                "parallel_config": {"tp": 4, "pp": 2, "dp": [1, 2], "dcp": 2, "enable_expert_parallel": true},
                "quant_config": {"gemm_dtype": ["bfloat16", "auto"], "kvcache_dtype": "fp8"}
                """));

        Map<String, Parameter> p = byName(task);
        assertThat(p.keySet()).containsExactly("max-num-seqs", "tensor-parallel-size", "pipeline-parallel-size",
                "data-parallel-size", "decode-context-parallel-size", "enable-expert-parallel", "dtype",
                "kv-cache-dtype");
        assertThat(p.get("dtype")).isEqualTo(new ChoiceParameter("dtype", List.of("bfloat16", "auto")));
        assertThat(p.get("kv-cache-dtype")).isEqualTo(new ChoiceParameter("kv-cache-dtype", List.of("fp8")));

        ParameterSet last = task.parameters().gridPoint(task.parameters().gridSize() - 1);
        // decode context parallelism shares the tensor-parallel GPUs: 4 x 2 x dp 2
        assertThat(GpuRequirement.of(last)).isEqualTo(16);
        assertThat(EngineArgs.of(last)).containsSubsequence("--enable-expert-parallel", "--kv-cache-dtype", "fp8")
                .contains("--tensor-parallel-size", "--data-parallel-size", "--dtype", "auto")
                .doesNotContain("true");
    }

    @Test
    void vllmGemmInt8IsAQuantizationMethod() {
        TaskSpec task = TaskSpecParser.parse(task("vllm", null,
                "\"quant_config\": {\"gemm_dtype\": [\"fp8\", \"int8\"]}"));

        assertThat(byName(task).get("quantization"))
                .isEqualTo(new ChoiceParameter("quantization", List.of("fp8", "int8")));
    }

    @Test
    void simTakesSglangNames() {
        TaskSpec task = TaskSpecParser.parse(task("sim", null, "\"parallel_config\": {\"tp\": [1, 2]}"));

        assertThat(byName(task).keySet()).containsExactly("tp-size");
    }

    @Test
    void aParallelSizeMayUseTheLongForm() {
        TaskSpec task = TaskSpecParser.parse(task("vllm", null,
                "\"parallel_config\": {\"tp\": {\"type\": \"integer\", \"low\": 1, \"high\": 4}}"));

        assertThat(byName(task).get("tensor-parallel-size"))
                .isEqualTo(new IntegerParameter("tensor-parallel-size", 1, 4, false,
                        TaskSpecParser.DEFAULT_GRID_POINTS));
        assertThat(GpuRequirement.of(point(Map.of("tensor-parallel-size", 4L)))).isEqualTo(4);
    }

    // ---- problems ----------------------------------------------------------------------------

    @Test
    void aFlagSetInABlockAndInParametersIsAConflictAtTheBlocksPath() {
        List<Problem> problems = problems(task("sglang", "{\"tp-size\": [1, 2], \"kv_cache_dtype\": [\"auto\"]}", """
                "parallel_config": {"tp": [2]},
                "quant_config": {"kvcache_dtype": "fp8"}
                """));

        assertThat(problems).extracting(Problem::path)
                .containsExactlyInAnyOrder("$.parallel_config.tp", "$.quant_config.kvcache_dtype");
        assertThat(problems.get(0).message()).contains("$.parameters.tp-size");
    }

    @Test
    void anotherSpellingOfTheSameParallelismFactorIsAConflict() {
        List<Problem> problems = problems(task("vllm", "{\"tp\": [1, 2]}", "\"parallel_config\": {\"tp\": 2}"));

        assertThat(problems).extracting(Problem::path).containsExactly("$.parallel_config.tp");
        assertThat(problems.get(0).message()).contains("tensor-parallel-size", "$.parameters.tp");
    }

    @Test
    void unknownKeysInABlockAreReportedByPath() {
        List<Problem> problems = problems(task("sglang", null, """
                "parallel_config": {"tp": 1, "foo": 2, "dcp": 2, "preset": "balanced"},
                "quant_config": {"kvcache_dtype": "fp8", "bar": "x", "attention_dtype": "fp8"}
                """));

        assertThat(problems).extracting(Problem::path).containsExactlyInAnyOrder(
                "$.parallel_config.foo", "$.parallel_config.dcp", "$.parallel_config.preset",
                "$.quant_config.bar", "$.quant_config.attention_dtype");
        assertThat(problems).filteredOn(p -> p.path().equals("$.parallel_config.dcp"))
                .extracting(Problem::message).singleElement().asString().contains("not a sglang setting");
    }

    @Test
    void badValuesInABlockAreReportedAtTheirOwnPath() {
        List<Problem> problems = problems(task("sglang", null, """
                "parallel_config": {"tp": [1, 0], "pp": "two", "dp": {"type": "integer", "low": 0, "high": 2}},
                "quant_config": {"gemm_dtype": ["auto", "fp8"], "kvcache_dtype": ["auto", "int4"]}
                """));

        assertThat(problems).extracting(Problem::path).containsExactlyInAnyOrder(
                "$.parallel_config.tp[1]", "$.parallel_config.pp", "$.parallel_config.dp.low",
                "$.quant_config.gemm_dtype", "$.quant_config.kvcache_dtype[1]");
    }

    @Test
    void aBlockMustBeAnObject() {
        assertThat(problems(task("vllm", null, "\"parallel_config\": [1, 2]")))
                .extracting(Problem::path).contains("$.parallel_config");
    }

    @Test
    void aBlockWrittenUnderParametersIsReportedThere() {
        List<Problem> problems = problems(task("sglang",
                "{\"mem-fraction-static\": [0.8], \"parallel_config\": {\"tp\": 2}}", ""));

        assertThat(problems).extracting(Problem::path).containsExactly("$.parameters.parallel_config");
        assertThat(problems.get(0).message()).contains("top level");
    }

    // ---- unchanged without blocks ------------------------------------------------------------

    @Test
    void aTaskWithoutBlocksGetsItsParametersNodeBackUntouched() {
        JsonNode root = MAPPER.readTree(task("vllm", "{\"tp-size\": [1, 2]}", ""));
        List<Problem> problems = new ArrayList<>();

        EnginePresets.Expansion expansion = EnginePresets.expand(root, "vllm", problems);

        assertThat(expansion.parameters()).isSameAs(root.get("parameters"));
        assertThat(expansion.paths()).isEmpty();
        assertThat(problems).isEmpty();
    }

    @Test
    void aTaskWithoutBlocksStillNeedsParameters() {
        assertThat(problems(task("sglang", null, ""))).extracting(Problem::path).containsExactly("$.parameters");
    }
}
