package io.tunefleet.worker.gpu;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * One GPU as {@code nvidia-smi --query-gpu=index,uuid,name,memory.total,memory.used,utilization.gpu}
 * reports it.
 *
 * @param index              the index nvidia-smi and {@code CUDA_VISIBLE_DEVICES} use
 * @param uuid               the stable identity, e.g. {@code GPU-4f6b1c2e-...}; survives re-enumeration
 * @param name               the product name, e.g. {@code NVIDIA H100 80GB HBM3}
 * @param memoryTotalMib     framebuffer size in MiB, or {@link #UNKNOWN_MIB} where nvidia-smi says [N/A]
 * @param memoryUsedMib      framebuffer in use in MiB, or {@link #UNKNOWN_MIB} where nvidia-smi says [N/A]
 * @param utilizationPercent GPU utilization; empty where nvidia-smi says [N/A] or [Not Supported] (MIG, some vGPUs)
 */
public record GpuInfo(int index, String uuid, String name, long memoryTotalMib, long memoryUsedMib,
                      OptionalInt utilizationPercent) {

    /** Marks a memory figure that nvidia-smi could not report. */
    public static final long UNKNOWN_MIB = -1;

    public GpuInfo {
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(utilizationPercent, "utilizationPercent");
    }

    /** Whether {@link #memoryUsedMib()} is a real figure. */
    public boolean memoryUsedKnown() {
        return memoryUsedMib >= 0;
    }
}
