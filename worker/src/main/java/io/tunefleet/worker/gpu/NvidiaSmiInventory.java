package io.tunefleet.worker.gpu;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads the GPUs of this host by running nvidia-smi (argv, never a shell) with a timeout. */
final class NvidiaSmiInventory implements GpuInventory {

    private static final Logger log = LoggerFactory.getLogger(NvidiaSmiInventory.class);

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** nvidia-smi's (and NVML's) return code for a corrupted infoROM, which it still reports GPUs with. */
    static final int INFOROM_CORRUPTED = 14;
    /** When the infoROM warning was last logged, in ms: read every half second, it is said once an hour. */
    private final AtomicLong infoRomWarnedAt = new AtomicLong(Long.MIN_VALUE);

    private final String binary;
    private final Duration timeout;

    NvidiaSmiInventory(String binary, Duration timeout) {
        this.binary = Objects.requireNonNull(binary, "binary");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public List<GpuInfo> gpus() {
        return NvidiaSmiParser.parseGpus(run(List.of(binary,
                "--query-gpu=" + NvidiaSmiParser.GPU_FIELDS, "--format=csv,noheader,nounits")));
    }

    @Override
    public List<GpuProcess> processes() {
        return NvidiaSmiParser.parseProcesses(run(List.of(binary,
                "--query-compute-apps=" + NvidiaSmiParser.PROCESS_FIELDS, "--format=csv,noheader,nounits")));
    }

    @Override
    public GpuTopology topology() {
        return GpuTopology.parse(run(List.of(binary, "topo", "-m")));
    }

    @Override
    public List<GpuSample> samples() {
        return NvidiaSmiParser.parseSamples(run(List.of(binary,
                "--query-gpu=" + NvidiaSmiParser.SAMPLE_FIELDS, "--format=csv,noheader,nounits")));
    }

    private String run(List<String> argv) {
        Process process;
        try {
            process = new ProcessBuilder(argv).start();
        } catch (IOException e) {
            throw new GpuInventoryException("cannot run " + binary + " (is the NVIDIA driver installed and the"
                    + " path right?): " + e.getMessage(), e);
        }
        try {
            process.getOutputStream().close(); // nvidia-smi reads nothing
        } catch (IOException e) {
            // it has exited already; the exit code tells
        }
        // Drain both pipes while waiting, so a chatty nvidia-smi cannot block on a full pipe.
        CompletableFuture<String> stdout = drain(process.getInputStream(), "stdout");
        CompletableFuture<String> stderr = drain(process.getErrorStream(), "stderr");
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new GpuInventoryException(String.join(" ", argv) + " did not finish within " + timeout
                        + " and was killed (a hung driver?)");
            }
            int exit = process.exitValue();
            String err = stderr.get(timeout.toMillis(), TimeUnit.MILLISECONDS).strip();
            String out = stdout.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (exit == INFOROM_CORRUPTED && !out.isBlank()) {
                // A warning, not a failure: nvidia-smi reports every GPU all the same, and one GPU's
                // infoROM must not take the host's other GPUs out of service.
                warnInfoRom(err.isEmpty() ? out.lines().filter(l -> l.startsWith("WARNING")).findFirst().orElse("")
                        : err);
                return out;
            }
            if (exit != 0) {
                // nvidia-smi reports driver trouble on stdout as often as on stderr: keep both.
                throw new GpuInventoryException(String.join(" ", argv) + " failed with exit code " + exit
                        + "; stderr: " + (err.isEmpty() ? "(empty)" : err)
                        + (out.isBlank() ? "" : "; stdout: " + out.strip()));
            }
            return out;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new GpuInventoryException("interrupted while running " + String.join(" ", argv), e);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new GpuInventoryException("cannot read the output of " + String.join(" ", argv), e);
        }
    }

    private void warnInfoRom(String what) {
        long now = System.currentTimeMillis();
        long last = infoRomWarnedAt.get();
        if ((last == Long.MIN_VALUE || now - last >= 3_600_000) && infoRomWarnedAt.compareAndSet(last, now)) {
            log.warn("nvidia-smi exits with code {} (a "
                    + "corrupted infoROM: {}); its readings are used, but the GPU needs an operator", INFOROM_CORRUPTED,
                    what.isBlank() ? "no detail" : what.strip());
        }
    }

    private static CompletableFuture<String> drain(InputStream in, String name) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (in) {
                result.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                result.completeExceptionally(new UncheckedIOException(e));
            }
        }, "nvidia-smi-" + name);
        reader.setDaemon(true);
        reader.start();
        return result;
    }

    @Override
    public String toString() {
        return "nvidia-smi at " + binary;
    }
}
