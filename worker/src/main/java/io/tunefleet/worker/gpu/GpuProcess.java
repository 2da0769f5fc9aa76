package io.tunefleet.worker.gpu;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * One compute process as {@code nvidia-smi --query-compute-apps=gpu_uuid,pid,used_memory} reports it.
 *
 * @param gpuUuid       the GPU the process runs on
 * @param pid           the process id as the host's nvidia-smi sees it
 * @param usedMemoryMib its framebuffer use; empty where nvidia-smi says [N/A] (common inside containers)
 */
public record GpuProcess(String gpuUuid, int pid, OptionalLong usedMemoryMib) {

    public GpuProcess {
        Objects.requireNonNull(gpuUuid, "gpuUuid");
        Objects.requireNonNull(usedMemoryMib, "usedMemoryMib");
    }
}
