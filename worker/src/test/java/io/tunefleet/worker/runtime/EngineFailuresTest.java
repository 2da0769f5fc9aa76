package io.tunefleet.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunefleet.common.experiment.FailureClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The last output of engines that failed, as vLLM, SGLang, PyTorch and the Hugging Face hub print it
 * (from issues and sources of those projects), and the class each must get: whether the experiment
 * is retried on another worker, or its region of the search is given up.
 */
class EngineFailuresTest {

    @ParameterizedTest
    @ValueSource(strings = {
            // Hugging Face refusing the token
            """
            huggingface_hub.errors.HfHubHTTPError: 401 Client Error: Unauthorized for url: \
            https://huggingface.co/api/models/meta-llama/Llama-3.1-8B-Instruct/revision/main \
            (Request ID: Root=1-68633b9c-28815ed66c58f6cd6dfce7ac)

            Invalid user token.""",
            """
            requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: \
            https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct/resolve/main/config.json
            Invalid credentials in Authorization header""",
            // the driver or the device
            """
            RuntimeError: CUDA error: invalid device ordinal
            CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below \
            might be incorrect.
            For debugging consider passing CUDA_LAUNCH_BLOCKING=1""",
            """
            RuntimeError: CUDA error: invalid argument
            Compile with `TORCH_USE_CUDA_DSA` to enable device-side assertions.""",
            "RuntimeError: No CUDA GPUs are available",
            // the model not where it should be
            """
            ValueError: Invalid repository ID or local directory specified: '/models/Llama-3.1-8B-Instruct'.
            Please verify the following requirements:
            1. Provide a valid Hugging Face repository ID.
            2. Specify a local directory that contains a recognized configuration file.""",
            "FileNotFoundError: [Errno 2] No such file or directory: '/models/Llama-3.1-8B-Instruct/config.json'",
            // the network
            """
            requests.exceptions.ConnectionError: (MaxRetryError("HTTPSConnectionPool(host='huggingface.co', \
            port=443): Max retries exceeded with url: /api/models/Qwen/Qwen2.5-7B-Instruct/revision/main (Caused by \
            NameResolutionError("Failed to resolve 'huggingface.co' ([Errno -3] Temporary failure in name \
            resolution)"))"), '(Request ID: 1b2c)')""",
            """
            huggingface_hub.errors.LocalEntryNotFoundError: An error happened while trying to locate the file on \
            the Hub and we cannot find the requested files in the local cache. Please check your connection and try \
            again or make sure your Internet connection is on.""",
            // NCCL, the port
            """
            RuntimeError: NCCL error in: /pytorch/torch/csrc/distributed/c10d/NCCLUtils.hpp:317, unhandled system \
            error (run with NCCL_DEBUG=INFO for details), NCCL version 2.21.5
            ncclSystemError: System call (e.g. socket, malloc) or external library call failed or device error.""",
            "ERROR:    [Errno 98] error while attempting to bind on address ('0.0.0.0', 30001): address already in use",
            // a warning that mentions memory, then the error that stopped the engine
            """
            WARNING 05-12 10:01:02 [scheduler.py:210] To avoid running out of memory, consider lowering             --max-num-seqs.
            RuntimeError: NCCL error in: /pytorch/torch/csrc/distributed/c10d/NCCLUtils.hpp:317, unhandled             cuda error""",
            // another process holds 20 GiB of the GPU: the host's fault, not --gpu-memory-utilization's
            """
            ValueError: Free memory on device cuda:0 (3.25/23.43 GiB) on startup is less than desired GPU memory \
            utilization (0.96, 22.49 GiB). Decrease GPU memory utilization or reduce GPU memory used by other \
            processes."""})
    void aHostFaultIsRetriedElsewhereNotHeldAgainstTheConfiguration(String output) {
        EngineFailures.Verdict verdict = EngineFailures.classify(output);
        assertThat(verdict.failure()).isEqualTo(FailureClass.INFRASTRUCTURE);
        // Known for what it is, not retried only because nothing matched.
        assertThat(verdict.cause()).isNotEqualTo(EngineFailures.classify("").cause());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // argparse, in vLLM and SGLang
            """
            vllm serve: error: argument --dtype: invalid choice: 'torch.bfloat16' (choose from 'auto', 'bfloat16', \
            'float', 'float16', 'float32', 'half')""",
            """
            launch_server.py: error: argument --schedule-policy: invalid choice: 'lof' (choose from 'lpm', \
            'random', 'fcfs', 'dfs-weight')""",
            "launch_server.py: error: unrecognized arguments: --enable-reasoning",
            // parallel sizes that do not divide the model
            "ValueError: Total number of attention heads (52) must be divisible by tensor parallel size (3).",
            """
              Value error, Total number of attention heads (64) must be divisible by tensor parallel size (3). \
            [type=value_error, input_value=ArgsKwargs((), {'model': '/models/x'}), input_type=ArgsKwargs]""",
            """
              File "/usr/local/lib/python3.11/site-packages/sglang/srt/distributed/utils.py", line 23, in \
            ensure_divisibility
                assert numerator % denominator == 0, "{} is not divisible by {}".format(
                       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^
            AssertionError: 16 is not divisible by 6
            [2026-03-04 09:11:08] Received sigquit from a child process. It usually means the child failed.""",
            // limits that contradict each other or the model
            """
            ValueError: max_num_batched_tokens (4096) is smaller than max_model_len (4608). This effectively limits \
            the maximum sequence length to max_num_batched_tokens and makes vLLM reject longer sequences. Please \
            increase max_num_batched_tokens or decrease max_model_len.""",
            "ValueError: max_num_batched_tokens (64) must be greater than or equal to max_num_seqs (128).",
            """
              Value error, User-specified max_model_len (65536) is greater than the derived max_model_len \
            (max_position_embeddings=32768.0 or model_max_length=None in model's config.json). To allow overriding \
            this maximum, set the env var VLLM_ALLOW_LONG_MAX_MODEL_LEN=1. [type=value_error]""",
            """
            ValueError: torch.bfloat16 is not supported for quantization method awq. Supported dtypes: \
            [torch.float16]""",
            """
            pydantic_core._pydantic_core.ValidationError: 1 validation error for CacheConfig
            gpu_memory_utilization
              Input should be less than or equal to 1 [type=less_than_equal, input_value=1.5, input_type=float]""",
            // tunefleet's simulated engine
            "INVALID_CONFIG: tensor parallel size 3 does not divide the number of attention heads"})
    void aFlagCombinationTheEngineRejectsIsAnInvalidConfig(String output) {
        assertThat(EngineFailures.classify(output).failure()).isEqualTo(FailureClass.INVALID_CONFIG);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            """
            torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of \
            79.19 GiB of which 1.06 GiB is free.""",
            // out of memory before any other CUDA error
            "RuntimeError: CUDA error: out of memory",
            """
            ValueError: No available memory for the cache blocks. Try increasing `gpu_memory_utilization` when \
            initializing the engine.""",
            """
            ValueError: To serve at least one request with the models's max seq len (131072), (16.00 GiB KV cache \
            is needed, which is larger than the available KV cache memory (8.50 GiB). Based on the available \
            memory, the estimated maximum model length is 69696. Try increasing `gpu_memory_utilization` or \
            decreasing `max_model_len` when initializing the engine.""",
            """
            ValueError: The model's max seq len (32768) is larger than the maximum number of tokens that can be \
            stored in KV cache (27296). Try increasing `gpu_memory_utilization` or decreasing `max_model_len` when \
            initializing the engine.""",
            "RuntimeError: Not enough memory. Please try to increase --mem-fraction-static.",
            // a GPU as empty as GPUs get, and --gpu-memory-utilization asking for more than it has
            """
            ValueError: Free memory on device (78.62/79.19 GiB) on startup is less than desired GPU memory \
            utilization (0.995, 78.79 GiB). Decrease GPU memory utilization or reduce GPU memory used by other \
            processes.""",
            "OUT_OF_MEMORY: CUDA out of memory: memory fraction 0.99 leaves no room for activations"})
    void aConfigurationThatDoesNotFitIsOutOfMemory(String output) {
        assertThat(EngineFailures.classify(output).failure()).isEqualTo(FailureClass.OUT_OF_MEMORY);
    }

    @Test
    void outputThatNamesNoKnownCauseIsRetriedElsewhereAndSaysSo() {
        EngineFailures.Verdict verdict = EngineFailures.classify("""
                INFO 07-01 12:00:03 [loader.py:458] Loading weights took 4.12 seconds
                Segmentation fault (core dumped)""");

        assertThat(verdict.failure()).isEqualTo(FailureClass.INFRASTRUCTURE);
        assertThat(verdict.failure().retryable()).isTrue();
        assertThat(verdict.cause()).isEqualTo("no known cause in its output");
    }

    @Test
    void theVerdictNamesTheCauseItFound() {
        assertThat(EngineFailures.classify("Invalid user token.").cause()).isEqualTo("Hugging Face refused the token");
        assertThat(EngineFailures.classify("launch_server.py: error: unrecognized arguments: --tp 3").cause())
                .isEqualTo("engine flag rejected");
    }
}
