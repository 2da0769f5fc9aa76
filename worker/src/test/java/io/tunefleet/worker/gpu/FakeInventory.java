package io.tunefleet.worker.gpu;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * An inventory whose answers a test sets; starts from captured nvidia-smi files. Public for the claim
 * loop's tests, which play an engine's process left on its GPU.
 */
public final class FakeInventory implements GpuInventory {

    private volatile List<GpuInfo> gpus;
    private volatile List<GpuProcess> processes;
    private volatile GpuTopology topology = GpuTopology.UNKNOWN;
    private volatile Runnable duringReading;
    private final java.util.concurrent.atomic.AtomicInteger readings = new java.util.concurrent.atomic.AtomicInteger();

    public FakeInventory(List<GpuInfo> gpus, List<GpuProcess> processes) {
        this.gpus = gpus;
        this.processes = processes;
    }

    static FakeInventory fromSamples(String gpuFile, String processFile) {
        return new FakeInventory(NvidiaSmiParser.parseGpus(sample(gpuFile)),
                processFile == null ? List.of() : NvidiaSmiParser.parseProcesses(sample(processFile)));
    }

    /** The text of {@code src/test/resources/nvidia-smi/<name>}. */
    static String sample(String name) {
        try (InputStream in = FakeInventory.class.getResourceAsStream("/nvidia-smi/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no sample " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Answers {@link #topology()} with captured {@code nvidia-smi topo -m} output. */
    FakeInventory withTopology(String topoFile) {
        this.topology = GpuTopology.parse(sample(topoFile));
        return this;
    }

    @Override
    public GpuTopology topology() {
        return topology;
    }

    void setGpus(List<GpuInfo> gpus) {
        this.gpus = gpus;
    }

    public void setProcesses(List<GpuProcess> processes) {
        this.processes = processes;
    }

    /** Runs {@code change} once, during the next reading: after the GPUs were read, before it returns. */
    void duringNextReading(Runnable change) {
        this.duringReading = change;
    }

    @Override
    public List<GpuInfo> gpus() {
        readings.incrementAndGet();
        List<GpuInfo> read = gpus;
        Runnable change = duringReading;
        duringReading = null;
        if (change != null) {
            change.run();
        }
        return read;
    }

    /** How often the GPUs were read (nvidia-smi --query-gpu, on a real host). */
    int readings() {
        return readings.get();
    }

    @Override
    public List<GpuProcess> processes() {
        return processes;
    }
}
