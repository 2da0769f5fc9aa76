package io.tunefleet.common.task;

import io.tunefleet.common.constraint.Constraints;
import io.tunefleet.common.param.ParameterSpace;
import java.util.Map;

/**
 * A validated task, built only by {@link TaskSpecParser}.
 *
 * @param slo the task's service-level objectives as given (scored by the benchmark stage)
 * @param constraints what every configuration must satisfy ({@code "constraints": ["tp-size * dp-size <= 8"]})
 * @param json the task file as submitted, kept so a restarted coordinator can parse it again
 * @param engine the task's own engine command; null to use the preset of {@code baseRuntime}
 */
public record TaskSpec(
        String name,
        String description,
        ModelSpec model,
        String baseRuntime,
        String runtimeImageTag,
        ParameterSpace parameters,
        OptimizationSpec optimization,
        BenchmarkSpec benchmark,
        Map<String, Object> slo,
        Constraints constraints,
        String json,
        EngineSpec engine) {

    public TaskSpec {
        slo = slo == null ? Map.of() : Map.copyOf(slo);
        constraints = constraints == null ? Constraints.none() : constraints;
    }

    /** A task with the preset engine of its runtime. */
    public TaskSpec(String name, String description, ModelSpec model, String baseRuntime, String runtimeImageTag,
                    ParameterSpace parameters, OptimizationSpec optimization, BenchmarkSpec benchmark,
                    Map<String, Object> slo, Constraints constraints, String json) {
        this(name, description, model, baseRuntime, runtimeImageTag, parameters, optimization, benchmark, slo,
                constraints, json, null);
    }

    /** A task without constraints. */
    public TaskSpec(String name, String description, ModelSpec model, String baseRuntime, String runtimeImageTag,
                    ParameterSpace parameters, OptimizationSpec optimization, BenchmarkSpec benchmark,
                    Map<String, Object> slo, String json) {
        this(name, description, model, baseRuntime, runtimeImageTag, parameters, optimization, benchmark, slo,
                Constraints.none(), json);
    }
}
