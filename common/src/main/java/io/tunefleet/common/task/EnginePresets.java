package io.tunefleet.common.task;

import io.tunefleet.common.param.GpuRequirement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Expands the original project's engine-neutral blocks, top-level {@code parallel_config}
 * ({@code tp}, {@code pp}, {@code dp}, ...) and {@code quant_config} ({@code gemm_dtype},
 * {@code kvcache_dtype}), into ordinary parameters named with the engine's own flags, before the
 * parameters are validated. Everything downstream (GPU requirement, argv, strategies) then sees plain
 * parameters. {@code sim} takes SGLang's names.
 *
 * <p>Unlike the original, a flag set both by a block and in {@code parameters} is a problem, not a
 * silent override; named presets ({@code preset}/{@code presets}) and the {@code attention_dtype} /
 * {@code moe_dtype} fields are not supported.
 */
final class EnginePresets {

    static final String PARALLEL = "parallel_config";
    static final String QUANT = "quant_config";

    /**
     * The parameters object to validate, and the JSON path of each parameter that came from a block
     * (parameters from {@code parameters} keep their usual path).
     */
    record Expansion(JsonNode parameters, Map<String, String> paths) {
    }

    private enum Kind { SIZE, SWITCH, GEMM, KV_CACHE }

    private record Field(String flag, Kind kind) {
    }

    private static final Map<String, Field> SGLANG_PARALLEL = fields(
            "tp", new Field("tp-size", Kind.SIZE),
            "pp", new Field("pp-size", Kind.SIZE),
            "dp", new Field("dp-size", Kind.SIZE),
            "moe_dense_tp", new Field("moe-dense-tp-size", Kind.SIZE));
    private static final Map<String, Field> VLLM_PARALLEL = fields(
            "tp", new Field("tensor-parallel-size", Kind.SIZE),
            "pp", new Field("pipeline-parallel-size", Kind.SIZE),
            "dp", new Field("data-parallel-size", Kind.SIZE),
            "dcp", new Field("decode-context-parallel-size", Kind.SIZE),
            "enable_expert_parallel", new Field("enable-expert-parallel", Kind.SWITCH));
    /** gemm_dtype's flag depends on its values: a model dtype goes to dtype, fp8/int8 to quantization. */
    private static final Map<String, Field> QUANT_FIELDS = fields(
            "gemm_dtype", new Field(null, Kind.GEMM),
            "kvcache_dtype", new Field("kv-cache-dtype", Kind.KV_CACHE));

    static final Set<String> MODEL_DTYPES = Set.of("auto", "float16", "bfloat16", "float32");
    static final Map<String, Set<String>> GEMM_QUANTIZATIONS = Map.of(
            "sglang", Set.of("fp8"), "vllm", Set.of("fp8", "int8"));
    /** kvcache_dtype value to the engine's --kv-cache-dtype value; SGLang reads plain fp8 as fp8_e5m2. */
    static final Map<String, Map<String, String>> KV_CACHE_DTYPES = Map.of(
            "sglang", Map.of("auto", "auto", "fp8", "fp8_e5m2", "fp8_e5m2", "fp8_e5m2", "fp8_e4m3", "fp8_e4m3"),
            "vllm", Map.of("auto", "auto", "fp8", "fp8", "fp8_e5m2", "fp8_e5m2", "fp8_e4m3", "fp8_e4m3"));

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final String engine;
    private final List<Problem> problems;
    private final Map<String, JsonNode> expanded = new LinkedHashMap<>();
    private final Map<String, String> paths = new LinkedHashMap<>();

    private EnginePresets(String engine, List<Problem> problems) {
        this.engine = engine;
        this.problems = problems;
    }

    /**
     * Expands the blocks of {@code root} for {@code runtime}, adding what is wrong to {@code problems}.
     * A task without the blocks gets its {@code parameters} node back untouched.
     */
    static Expansion expand(JsonNode root, String runtime, List<Problem> problems) {
        JsonNode parameters = root.get("parameters");
        boolean nested = parameters != null && parameters.isObject()
                && (isMisplacedBlock(parameters.get(PARALLEL)) || isMisplacedBlock(parameters.get(QUANT)));
        if (!present(root.get(PARALLEL)) && !present(root.get(QUANT)) && !nested) {
            return new Expansion(parameters, Map.of());
        }
        if (runtime == null || !TaskSpecParser.RUNTIMES.contains(runtime)) {
            return new Expansion(parameters, Map.of()); // $.base_runtime is already reported
        }
        EnginePresets presets = new EnginePresets(runtime.equals("vllm") ? "vllm" : "sglang", problems);
        presets.block(root.get(PARALLEL), "$." + PARALLEL,
                presets.engine.equals("vllm") ? VLLM_PARALLEL : SGLANG_PARALLEL);
        presets.block(root.get(QUANT), "$." + QUANT, QUANT_FIELDS);
        return presets.merge(parameters);
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull();
    }

    /** An object without a type under parameters is a block written in the wrong place, not a parameter. */
    private static boolean isMisplacedBlock(JsonNode node) {
        return node != null && node.isObject() && !node.has("type");
    }

    private void block(JsonNode node, String path, Map<String, Field> fields) {
        if (!present(node)) {
            return;
        }
        if (!node.isObject()) {
            problem(path, "must be an object such as " + example(fields));
            return;
        }
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            String key = entry.getKey();
            String at = path + "." + key;
            Field field = fields.get(key);
            if (field == null) {
                problem(at, unknown(key, fields));
            } else if (present(entry.getValue())) {
                field(field, entry.getValue(), at);
            }
        }
    }

    private void field(Field field, JsonNode value, String path) {
        if (value.isObject()) {
            if (field.kind() == Kind.SIZE) {
                put(field.flag(), value, path); // the long form: validated as any parameter
            } else {
                problem(path, "must be a value or a list of values");
            }
            return;
        }
        List<JsonNode> values = new ArrayList<>();
        List<String> at = new ArrayList<>();
        if (value.isArray()) {
            if (value.isEmpty()) {
                problem(path, "must list at least one value");
                return;
            }
            for (int i = 0; i < value.size(); i++) {
                values.add(value.get(i));
                at.add(path + "[" + i + "]");
            }
        } else {
            values.add(value);
            at.add(path);
        }
        switch (field.kind()) {
            case SIZE -> sizes(field.flag(), values, at, path);
            case SWITCH -> switches(field.flag(), values, at, path);
            case GEMM -> gemm(values, at, path);
            case KV_CACHE -> kvCache(field.flag(), values, at, path);
            default -> throw new IllegalStateException(field.kind().toString());
        }
    }

    private void sizes(String flag, List<JsonNode> values, List<String> at, String path) {
        ArrayNode out = NODES.arrayNode();
        for (int i = 0; i < values.size(); i++) {
            JsonNode v = values.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 1) {
                problem(at.get(i), "a parallelism size must be a positive integer");
                return;
            }
            out.add(v);
        }
        put(flag, out, path);
    }

    private void switches(String flag, List<JsonNode> values, List<String> at, String path) {
        ArrayNode out = NODES.arrayNode();
        for (int i = 0; i < values.size(); i++) {
            if (!values.get(i).isBoolean()) {
                problem(at.get(i), "must be true or false");
                return;
            }
            out.add(values.get(i));
        }
        put(flag, out, path);
    }

    private void gemm(List<JsonNode> values, List<String> at, String path) {
        Set<String> quantizations = GEMM_QUANTIZATIONS.get(engine);
        Set<String> seen = new LinkedHashSet<>();
        boolean dtypes = false;
        boolean quantized = false;
        for (int i = 0; i < values.size(); i++) {
            String v = string(values.get(i), at.get(i));
            if (v == null) {
                return;
            }
            if (MODEL_DTYPES.contains(v)) {
                dtypes = true;
            } else if (quantizations.contains(v)) {
                quantized = true;
            } else {
                problem(at.get(i), "'" + v + "' is not a gemm_dtype " + engine + " takes; use one of "
                        + sorted(MODEL_DTYPES) + " or " + sorted(quantizations));
                return;
            }
            seen.add(v);
        }
        if (dtypes && quantized) {
            problem(path, "mixes model dtypes " + sorted(MODEL_DTYPES) + " with quantization methods "
                    + sorted(quantizations) + ": they are different engine flags (dtype, quantization); list one kind");
            return;
        }
        put(quantized ? "quantization" : "dtype", strings(seen), path);
    }

    private void kvCache(String flag, List<JsonNode> values, List<String> at, String path) {
        Map<String, String> mapping = KV_CACHE_DTYPES.get(engine);
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < values.size(); i++) {
            String v = string(values.get(i), at.get(i));
            if (v == null) {
                return;
            }
            String mapped = mapping.get(v);
            if (mapped == null) {
                problem(at.get(i), "'" + v + "' is not a kvcache_dtype " + engine + " takes; use one of "
                        + sorted(mapping.keySet()));
                return;
            }
            out.add(mapped);
        }
        put(flag, strings(out), path);
    }

    private String string(JsonNode v, String path) {
        if (!v.isString()) {
            problem(path, "must be a string");
            return null;
        }
        return v.stringValue().toLowerCase(Locale.ROOT);
    }

    private void put(String flag, JsonNode value, String path) {
        expanded.put(flag, value);
        paths.put(flag, path);
    }

    /** The task's own parameters first, in file order, then the expanded ones; conflicts reported. */
    private Expansion merge(JsonNode parameters) {
        if (parameters != null && !parameters.isNull() && !parameters.isObject()) {
            return new Expansion(parameters, Map.of()); // reported by the parser as before
        }
        ObjectNode merged = NODES.objectNode();
        if (parameters != null && parameters.isObject()) {
            for (Map.Entry<String, JsonNode> entry : parameters.properties()) {
                String name = entry.getKey();
                if ((name.equals(PARALLEL) || name.equals(QUANT)) && isMisplacedBlock(entry.getValue())) {
                    problem("$.parameters." + name, "belongs at the top level of the task, next to parameters");
                    continue;
                }
                String clash = clash(name);
                if (clash != null) {
                    problem(paths.get(clash), "sets " + clash + ", which $.parameters." + name
                            + " also sets; give it in one place");
                    expanded.remove(clash);
                }
                merged.set(name, entry.getValue());
            }
        }
        expanded.forEach(merged::set);
        if (merged.isEmpty() && (parameters == null || parameters.isNull())) {
            return new Expansion(parameters, Map.of()); // "is required", as before
        }
        paths.keySet().retainAll(expanded.keySet());
        return new Expansion(merged, Map.copyOf(paths));
    }

    /** The expanded flag that {@code name} sets too: the same flag, or the same parallelism factor. */
    private String clash(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace('_', '-');
        for (String flag : expanded.keySet()) {
            if (flag.equals(n) || GpuRequirement.sameFactor(flag, name)) {
                return flag;
            }
        }
        return null;
    }

    private String unknown(String key, Map<String, Field> fields) {
        if (key.equals("preset") || key.equals("presets")) {
            return "named presets are not supported; write the fields out: " + String.join(", ", fields.keySet());
        }
        if (key.equals("attention_dtype") || key.equals("moe_dtype")) {
            return "is not supported; set the engine's attention-backend or moe-runner-backend in parameters";
        }
        if (fields == SGLANG_PARALLEL && VLLM_PARALLEL.containsKey(key)
                || fields == VLLM_PARALLEL && SGLANG_PARALLEL.containsKey(key)) {
            return "is not a " + engine + " setting; " + engine + " takes " + String.join(", ", fields.keySet());
        }
        return "unknown key; use " + String.join(", ", fields.keySet());
    }

    private static String example(Map<String, Field> fields) {
        return fields == QUANT_FIELDS ? "{\"kvcache_dtype\": \"fp8\"}" : "{\"tp\": [1, 2], \"pp\": 1}";
    }

    private static ArrayNode strings(Set<String> values) {
        ArrayNode out = NODES.arrayNode();
        values.forEach(out::add);
        return out;
    }

    private static List<String> sorted(Set<String> values) {
        return values.stream().sorted().toList();
    }

    private static Map<String, Field> fields(Object... keysAndFields) {
        Map<String, Field> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndFields.length; i += 2) {
            map.put((String) keysAndFields[i], (Field) keysAndFields[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(map);
    }

    private void problem(String path, String message) {
        problems.add(new Problem(path, message));
    }
}
