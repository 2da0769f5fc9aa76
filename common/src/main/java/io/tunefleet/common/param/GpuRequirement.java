package io.tunefleet.common.param;

import java.util.List;
import java.util.Locale;

/**
 * How many GPUs one experiment needs: tensor parallel x pipeline parallel x max(data parallel,
 * context parallel), read from the flag names SGLang and vLLM use.
 */
public final class GpuRequirement {

    /** The largest parallelism size a task may ask for: more GPUs than one experiment spans anywhere. */
    public static final int MAX_SIZE = 1024;
    static final List<String> TENSOR_PARALLEL = List.of("tp-size", "tp", "tensor-parallel-size");
    static final List<String> PIPELINE_PARALLEL = List.of("pp-size", "pp", "pipeline-parallel-size");
    static final List<String> DATA_PARALLEL = List.of("dp-size", "dp", "data-parallel-size");
    static final List<String> CONTEXT_PARALLEL = List.of("cp-size", "cp", "context-parallel-size");

    private GpuRequirement() {
    }

    public static int of(ParameterSet parameters) {
        int tp = factor(parameters, TENSOR_PARALLEL);
        int pp = factor(parameters, PIPELINE_PARALLEL);
        int dp = factor(parameters, DATA_PARALLEL);
        int cp = factor(parameters, CONTEXT_PARALLEL);
        return Math.multiplyExact(Math.multiplyExact(tp, pp), Math.max(dp, cp));
    }

    /** True when the parameter name is one of the parallelism flags above. */
    public static boolean isParallelismFlag(String name) {
        String n = normalize(name);
        return TENSOR_PARALLEL.contains(n) || PIPELINE_PARALLEL.contains(n)
                || DATA_PARALLEL.contains(n) || CONTEXT_PARALLEL.contains(n);
    }

    /**
     * True when both names set the same parallelism factor, e.g. {@code tp} and {@code tp-size}, or
     * {@code tensor_parallel_size} and {@code tensor-parallel-size}.
     */
    public static boolean sameFactor(String a, String b) {
        String x = normalize(a);
        String y = normalize(b);
        for (List<String> names : List.of(TENSOR_PARALLEL, PIPELINE_PARALLEL, DATA_PARALLEL, CONTEXT_PARALLEL)) {
            if (names.contains(x) && names.contains(y)) {
                return true;
            }
        }
        return false;
    }

    private static int factor(ParameterSet parameters, List<String> names) {
        for (var entry : parameters.values().entrySet()) {
            if (names.contains(normalize(entry.getKey()))) {
                Object v = entry.getValue();
                if (v instanceof Number n && n.doubleValue() >= 1 && n.doubleValue() <= MAX_SIZE
                        && n.doubleValue() == Math.rint(n.doubleValue())) {
                    return n.intValue();
                }
                throw new IllegalArgumentException(
                        "parameter " + entry.getKey() + " must be an integer from 1 to " + MAX_SIZE + ", got " + v);
            }
        }
        return 1;
    }

    static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
