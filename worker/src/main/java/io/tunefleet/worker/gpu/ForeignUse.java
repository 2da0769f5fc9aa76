package io.tunefleet.worker.gpu;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds GPUs that someone else is using: processes over the threshold, processes whose memory
 * nvidia-smi cannot tell (counted as busy, to be safe), or memory in use with no process visible
 * (another container, whose processes this PID namespace cannot see).
 */
final class ForeignUse {

    private ForeignUse() {
    }

    /** @return for each busy GPU uuid, a sentence saying why */
    static Map<String, String> busyGpus(List<GpuInfo> gpus, List<GpuProcess> processes, long thresholdMib) {
        Map<String, List<GpuProcess>> byGpu = new HashMap<>();
        for (GpuProcess p : processes) {
            byGpu.computeIfAbsent(p.gpuUuid(), k -> new ArrayList<>()).add(p);
        }
        Map<String, String> busy = new HashMap<>();
        for (GpuInfo gpu : gpus) {
            List<GpuProcess> on = byGpu.getOrDefault(gpu.uuid(), List.of());
            long known = on.stream().mapToLong(p -> p.usedMemoryMib().orElse(0)).sum();
            boolean unknown = on.stream().anyMatch(p -> p.usedMemoryMib().isEmpty());
            List<Integer> pids = on.stream().map(GpuProcess::pid).toList();
            if (unknown || known > thresholdMib) {
                busy.put(gpu.uuid(), "processes " + pids + " use " + (unknown ? "an unknown amount of" : known + " MiB")
                        + " memory (threshold " + thresholdMib + " MiB)");
            } else if (gpu.memoryUsedMib() > thresholdMib) {
                busy.put(gpu.uuid(), gpu.memoryUsedMib() + " MiB in use by processes this host cannot see"
                        + " (threshold " + thresholdMib + " MiB)");
            }
        }
        return busy;
    }
}
