package io.tunefleet.worker.runtime;

import io.tunefleet.common.experiment.FailureClass;
import io.tunefleet.common.param.GpuRequirement;
import io.tunefleet.common.param.ParameterSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small performance model of an LLM engine on H100-class GPUs, so simulated experiments rank
 * configurations the way real ones do:
 * <ul>
 *   <li>weights take 2 bytes per parameter, split over tp x pp GPUs; the KV cache gets what the
 *       memory fraction leaves; a config whose weights do not fit runs out of memory at start;</li>
 *   <li>decode is memory-bound: time per output token is the per-GPU weight bytes over HBM bandwidth,
 *       plus an all-reduce cost that grows with tensor parallelism, plus batching overhead;</li>
 *   <li>prefill is compute-bound and scales with input length; chunked prefill trades a little TTFT
 *       for smoother decode; a larger KV cache admits more concurrent requests.</li>
 * </ul>
 * It is deterministic: the same configuration and load give the same figures.
 */
public final class SimPerformanceModel {

    static final double GPU_MEMORY_GIB = 80;
    static final double HBM_TB_PER_S = 3.35;
    static final double ACTIVATION_RESERVE_GIB = 3;
    static final double DEFAULT_MEMORY_FRACTION = 0.85;
    static final double DEFAULT_MODEL_BILLIONS = 8;
    private static final Pattern MODEL_SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)[bB]\\b");

    private SimPerformanceModel() {
    }

    /** A failure the engine would show for this config, if any. */
    public static Optional<Failure> failure(ParameterSet params, String model) {
        int tp = intParam(params, 1, "tp-size", "tp", "tensor-parallel-size");
        int pp = intParam(params, 1, "pp-size", "pipeline-parallel-size");
        if (tp > 1 && Integer.bitCount(tp) != 1) {
            return Optional.of(new Failure(FailureClass.INVALID_CONFIG,
                    "tensor parallel size " + tp + " does not divide the number of attention heads"));
        }
        double fraction = memoryFraction(params);
        if (fraction <= 0 || fraction > 0.98) {
            return Optional.of(new Failure(FailureClass.OUT_OF_MEMORY,
                    "CUDA out of memory: memory fraction " + fraction + " leaves no room for activations"));
        }
        double weightsPerGpu = 2 * modelBillions(model) / (tp * pp);
        double kv = kvCacheGib(params, model);
        if (kv <= 1) {
            return Optional.of(new Failure(FailureClass.OUT_OF_MEMORY, String.format(
                    "CUDA out of memory: weights need %.1f GiB per GPU, memory fraction %.2f of %.0f GiB leaves %.1f GiB",
                    weightsPerGpu, fraction, GPU_MEMORY_GIB, fraction * GPU_MEMORY_GIB - ACTIVATION_RESERVE_GIB)));
        }
        return Optional.empty();
    }

    /**
     * Figures for one load level.
     *
     * @param concurrency requests in flight
     * @param inputTokens prompt length
     * @param outputTokens generated tokens per request
     */
    public static Map<String, Double> predict(ParameterSet params, String model, int concurrency, int inputTokens,
                                              int outputTokens) {
        int tp = intParam(params, 1, "tp-size", "tp", "tensor-parallel-size");
        int pp = intParam(params, 1, "pp-size", "pipeline-parallel-size");
        int gpus = GpuRequirement.of(params);
        int replicas = Math.max(1, gpus / (tp * pp));
        double billions = modelBillions(model);
        double perReplica = Math.max(1.0, (double) concurrency / replicas);

        double weightGibPerGpu = 2 * billions / (tp * pp);
        // Ring all-reduce twice per layer: grows with log2(tp).
        double allReduceMs = tp > 1 ? 0.16 * Math.log(tp) / Math.log(2) : 0;
        double decodeStepMs = weightGibPerGpu / HBM_TB_PER_S + allReduceMs + 0.35 * (pp - 1);
        // KV capacity: requests beyond what the cache holds wait; larger batches cost a little per step.
        double kvPerRequestGib = 0.000125 * billions / 8 * (inputTokens + outputTokens) / tp;
        double capacity = Math.max(1, kvCacheGib(params, model) / Math.max(kvPerRequestGib, 1e-6));
        double batch = Math.min(perReplica, capacity);
        double queueFactor = perReplica > capacity ? perReplica / capacity : 1;
        double tpotMs = decodeStepMs * (1 + 0.012 * batch) * schedulePolicyFactor(params);
        if (bool(params, "enable-torch-compile")) {
            tpotMs *= 0.92;
        }
        if (bool(params, "disable-cuda-graph")) {
            tpotMs *= 1.25;
        }
        double prefillMsPerToken = 2 * billions / (tp * 400.0);
        double chunk = number(params, 8192, "chunked-prefill-size", "max-num-batched-tokens");
        double chunkPenalty = 1 + Math.max(0, inputTokens - chunk) / Math.max(chunk, 1) * 0.05
                + 512 / Math.max(chunk, 512) * 0.02;
        double ttftMs = (prefillMsPerToken * inputTokens * chunkPenalty * (1 + 0.05 * batch) + allReduceMs * 4 + 8)
                * queueFactor;
        double e2eS = (ttftMs + tpotMs * (outputTokens - 1)) / 1000;
        double outputTps = concurrency * outputTokens / Math.max(e2eS, 1e-6) / queueFactor;
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("ttft_mean_ms", round(ttftMs));
        m.put("tpot_mean_ms", round(tpotMs));
        m.put("e2e_latency_mean_s", round(e2eS));
        m.put("output_tokens_per_s", round(outputTps));
        m.put("output_tokens_per_s_per_gpu", round(outputTps / gpus));
        m.put("requests_per_s", round(outputTps / outputTokens));
        m.put("success_rate", 1.0);
        return m;
    }

    static double kvCacheGib(ParameterSet params, String model) {
        int tp = intParam(params, 1, "tp-size", "tp", "tensor-parallel-size");
        int pp = intParam(params, 1, "pp-size", "pipeline-parallel-size");
        return memoryFraction(params) * GPU_MEMORY_GIB - 2 * modelBillions(model) / (tp * pp) - ACTIVATION_RESERVE_GIB;
    }

    static double memoryFraction(ParameterSet params) {
        return number(params, DEFAULT_MEMORY_FRACTION, "mem-fraction-static", "gpu-memory-utilization");
    }

    static double modelBillions(String model) {
        Matcher m = MODEL_SIZE.matcher(model == null ? "" : model);
        double size = DEFAULT_MODEL_BILLIONS;
        while (m.find()) {
            size = Double.parseDouble(m.group(1));
        }
        return size;
    }

    private static double schedulePolicyFactor(ParameterSet params) {
        Object policy = params.values().getOrDefault("schedule-policy", "fcfs");
        return switch (String.valueOf(policy)) {
            case "lpm" -> 0.97;
            case "dfs-weight" -> 0.98;
            case "random" -> 1.03;
            default -> 1.0;
        };
    }

    private static int intParam(ParameterSet params, int fallback, String... names) {
        return (int) number(params, fallback, names);
    }

    private static double number(ParameterSet params, double fallback, String... names) {
        for (String name : names) {
            Object v = params.values().get(name);
            if (v == null) {
                v = params.values().get(name.replace('-', '_'));
            }
            if (v instanceof Number n) {
                return n.doubleValue();
            }
        }
        return fallback;
    }

    private static boolean bool(ParameterSet params, String name) {
        return Boolean.TRUE.equals(params.values().get(name));
    }

    private static double round(double v) {
        return Math.round(v * 1000d) / 1000d;
    }

    /** A failure the simulated engine reports. */
    public record Failure(FailureClass failureClass, String message) {
    }
}
