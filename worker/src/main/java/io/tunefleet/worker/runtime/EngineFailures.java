package io.tunefleet.worker.runtime;

import static io.tunefleet.common.experiment.FailureClass.INFRASTRUCTURE;
import static io.tunefleet.common.experiment.FailureClass.INVALID_CONFIG;
import static io.tunefleet.common.experiment.FailureClass.OUT_OF_MEMORY;

import io.tunefleet.common.experiment.FailureClass;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an engine's last output says about why it stopped, by one table of known wordings of vLLM,
 * SGLang and the libraries under them. The first rule that matches decides, in table order:
 * <ol>
 *   <li>out of memory: the configuration does not fit (not retried, its region is infeasible);</li>
 *   <li>the engine rejected the configuration (not retried, its region is infeasible). These
 *       wordings are specific, so that a host fault is never taken for one;</li>
 *   <li>the host: token, model files, network, driver, NCCL, port (retried on another worker).</li>
 * </ol>
 * Output that matches nothing is {@link FailureClass#INFRASTRUCTURE} too: retrying a configuration
 * that is at fault costs a few attempts, up to {@code max_retries}; calling a host fault the
 * configuration's would have the search give up a region for good on one bad host's word.
 */
final class EngineFailures {

    /** Why the engine stopped: its class, and the rule that said so. */
    record Verdict(FailureClass failure, String cause) {
    }

    /** One known wording, the class it means, and where the wording comes from (in its comment). */
    private record Rule(String cause, Pattern pattern, Function<Matcher, FailureClass> decide) {

        static Rule of(String cause, FailureClass failure, String regex) {
            return new Rule(cause, Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.MULTILINE), m -> failure);
        }
    }

    /**
     * Memory a GPU no other process uses still shows in use when vLLM compares its free memory with
     * {@code --gpu-memory-utilization}: the engine's own CUDA context and NCCL buffers, about 0.5-1.5 GiB.
     */
    static final double CLEAN_GPU_IN_USE_GIB = 2.0;

    private static final List<Rule> RULES = List.of(
            // PyTorch's allocator: "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB"
            // (torch.cuda.OutOfMemoryError before 2.5; "HIP out of memory" on ROCm); the CUDA runtime:
            // "RuntimeError: CUDA error: out of memory"; the simulated engine: "OUT_OF_MEMORY: ...". The error's
            // own words only: a warning that merely mentions running out of memory is no verdict.
            Rule.of("CUDA out of memory", OUT_OF_MEMORY,
                    "OutOfMemoryError|(?:CUDA|HIP) out of memory|CUDA error: out of memory|^OUT_OF_MEMORY: "),
            // vLLM, no room for the KV cache after the weights (vllm/v1/core/kv_cache_utils.py):
            // "ValueError: No available memory for the cache blocks. Try increasing `gpu_memory_utilization`".
            Rule.of("no memory left for the KV cache", OUT_OF_MEMORY, "No available memory for the cache blocks"),
            // vLLM, a KV cache too small for one request of max_model_len: "... KV cache is needed, which is
            // larger than the available KV cache memory (8.5 GiB)" (v1), and "The model's max seq len (32768) is
            // larger than the maximum number of tokens that can be stored in KV cache (27296)" (v0).
            Rule.of("KV cache too small for max_model_len", OUT_OF_MEMORY,
                    "KV cache is needed, which is larger than the available KV cache memory"
                            + "|larger than the maximum number of tokens that can be stored in KV cache"),
            // SGLang's memory pool (model_runner.py): "RuntimeError: Not enough memory. Please try to increase
            // --mem-fraction-static."
            Rule.of("no memory left for the KV pool", OUT_OF_MEMORY, "Not enough memory\\. Please try to increase"),

            // argparse, in vLLM and SGLang alike: "vllm serve: error: argument --dtype: invalid choice:
            // 'torch.bfloat16' (choose from ...)", "error: argument --tp-size: invalid int value: '1.5'",
            // "launch_server.py: error: unrecognized arguments: --enable-reasoning".
            Rule.of("engine flag rejected", INVALID_CONFIG, ": error: (?:argument -|unrecognized arguments:)"),
            // vLLM (vllm/config/model.py): "ValueError: Total number of attention heads (52) must be divisible by
            // tensor parallel size (3)."; in pydantic's words since 0.10: "Value error, Total number of ...".
            Rule.of("parallel size does not divide the model", INVALID_CONFIG,
                    "must be divisible by (?:tensor|pipeline) parallel size"),
            // SGLang and vLLM split weights with ensure_divisibility (sglang/srt/distributed/utils.py):
            // "AssertionError: 16 is not divisible by 6".
            Rule.of("parallel size does not divide the model", INVALID_CONFIG,
                    "AssertionError: \\d+ is not divisible by \\d+"),
            // vLLM's scheduler limits (vllm/config/scheduler.py): "max_num_batched_tokens (4096) is smaller than
            // max_model_len (4608).", "max_num_batched_tokens (64) must be greater than or equal to max_num_seqs".
            Rule.of("scheduler limits contradict each other", INVALID_CONFIG,
                    "max_num_batched_tokens \\(\\d+\\) (?:is smaller than max_model_len"
                            + "|must be greater than or equal to max_num_seqs)"),
            // vLLM (vllm/config/model.py): "User-specified max_model_len (65536) is greater than the derived
            // max_model_len (max_position_embeddings=32768 ...)".
            Rule.of("max_model_len beyond the model's", INVALID_CONFIG,
                    "max_model_len \\(\\d+\\) is greater than the derived max_model_len"),
            // vLLM: "ValueError: torch.bfloat16 is not supported for quantization method awq. Supported dtypes: ...".
            Rule.of("dtype not supported by the quantization", INVALID_CONFIG,
                    "is not supported for quantization method"),
            // vLLM's pydantic engine configs, whose every field is a flag: "pydantic_core._pydantic_core.
            // ValidationError: 1 validation error for CacheConfig / gpu_memory_utilization / Input should be less
            // than or equal to 1". Not ModelConfig: a model path it cannot find fails its validation too.
            Rule.of("engine config rejected", INVALID_CONFIG,
                    "validation errors? for (?:SchedulerConfig|CacheConfig|ParallelConfig)\\b"),
            // tunefleet's simulated engine (SimEngineMain) names the class it simulates: "INVALID_CONFIG: tensor
            // parallel size 3 does not divide the number of attention heads".
            Rule.of("simulated configuration fault", INVALID_CONFIG, "^INVALID_CONFIG: "),

            // vLLM compares the free memory at start with --gpu-memory-utilization (vllm/v1/worker/gpu_worker.py):
            // "ValueError: Free memory on device cuda:0 (19.77/22.05 GiB) on startup is less than desired GPU memory
            // utilization (0.9, 19.84 GiB)". See freeMemoryShortfall for whose fault it is.
            new Rule("free GPU memory below --gpu-memory-utilization", Pattern.compile(
                    "Free memory on device\\S*(?: \\S+)? \\((?<free>[\\d.]+)/(?<total>[\\d.]+) GiB\\) on startup"
                            + "\\s+is less than desired GPU memory utilization", Pattern.CASE_INSENSITIVE),
                    EngineFailures::freeMemoryShortfall),

            // Hugging Face hub refusing the token (huggingface_hub): "401 Client Error: Unauthorized for url: ...
            // Invalid credentials in Authorization header", "Invalid user token.", "Cannot access gated repo".
            Rule.of("Hugging Face refused the token", INFRASTRUCTURE,
                    "401 Client Error|Invalid user token|Invalid credentials in Authorization header"
                            + "|Cannot access gated repo|GatedRepoError"),
            // The model not where the host should have it: vLLM's "Invalid repository ID or local directory
            // specified: '/models/x'", transformers' "... does not appear to have a file named config.json",
            // Python's "FileNotFoundError: [Errno 2] No such file or directory".
            Rule.of("model files not found", INFRASTRUCTURE,
                    "Invalid repository ID or local directory specified|RepositoryNotFoundError"
                            + "|does not appear to have a file named|No such file or directory|FileNotFoundError"),
            // Downloads failing (requests, urllib3, huggingface_hub): "Max retries exceeded with url", "Temporary
            // failure in name resolution", "LocalEntryNotFoundError: ... outgoing traffic has been disabled".
            Rule.of("network failure", INFRASTRUCTURE,
                    "ConnectionError|Connection refused|Connection reset|Max retries exceeded with url"
                            + "|Temporary failure in name resolution|Name or service not known|Read timed out"
                            + "|LocalEntryNotFoundError|couldn't connect to"),
            // The driver or the device (the CUDA runtime via PyTorch, NVML): "RuntimeError: CUDA error: invalid
            // device ordinal", "CUDA error: invalid argument", "CUDA driver version is insufficient for CUDA
            // runtime version", "RuntimeError: No CUDA GPUs are available". Out of memory matched above.
            Rule.of("CUDA driver or device fault", INFRASTRUCTURE,
                    "CUDA error: |CUDA driver version is insufficient|No CUDA GPUs are available"
                            + "|no CUDA-capable device|Found no NVIDIA driver|Failed to initialize NVML|NVMLError"),
            // NCCL between the GPUs: "RuntimeError: NCCL error in: ..., unhandled system error", "ncclSystemError".
            Rule.of("NCCL fault", INFRASTRUCTURE, "NCCL error|nccl(?:System|Internal|UnhandledCuda|Remote)Error"),
            // The reserved port taken by a process that is not the worker's: "[Errno 98] Address already in use".
            Rule.of("port taken", INFRASTRUCTURE, "Address already in use"));

    private EngineFailures() {
    }

    /** The verdict of the first rule in the table that matches {@code output}; infrastructure if none does. */
    static Verdict classify(String output) {
        for (Rule rule : RULES) {
            Matcher m = rule.pattern().matcher(output);
            if (m.find()) {
                return new Verdict(rule.decide().apply(m), rule.cause());
            }
        }
        return new Verdict(INFRASTRUCTURE, "no known cause in its output");
    }

    /**
     * vLLM found less memory free than {@code --gpu-memory-utilization} asks for. If the GPU was as
     * empty as a GPU gets, the configuration asks for more than any such GPU has: it does not fit. If
     * something else held more than that, another process took memory the worker saw free when it
     * reserved the GPU: the host's fault, and another worker's GPU may be free.
     */
    private static FailureClass freeMemoryShortfall(Matcher m) {
        double inUse = Double.parseDouble(m.group("total")) - Double.parseDouble(m.group("free"));
        return inUse <= CLEAN_GPU_IN_USE_GIB ? OUT_OF_MEMORY : INFRASTRUCTURE;
    }
}
