package io.tunefleet.worker.gpu;

import java.util.List;

/**
 * What the GPUs of this host look like right now. Each call reads afresh (for nvidia-smi: runs it), so
 * callers should not call it in a tight loop.
 *
 * @see GpuInventories#fromSpec(String, String, String)
 */
public interface GpuInventory {

    /** The GPUs, ordered by index. Throws {@link GpuInventoryException} when they cannot be read. */
    List<GpuInfo> gpus();

    /** The compute processes on any GPU. Throws {@link GpuInventoryException} when they cannot be read. */
    List<GpuProcess> processes();

    /**
     * How the GPUs are linked ({@code nvidia-smi topo -m}); read once, as it does not change while
     * the host runs. {@link GpuTopology#UNKNOWN} where the source cannot tell.
     */
    default GpuTopology topology() {
        return GpuTopology.UNKNOWN;
    }

    /** Utilization, memory and power of every GPU now; power only where the source knows it. */
    default List<GpuSample> samples() {
        return gpus().stream().map(g -> new GpuSample(g.index(), g.utilizationPercent(), g.memoryUsedMib(),
                java.util.OptionalDouble.empty())).toList();
    }
}
