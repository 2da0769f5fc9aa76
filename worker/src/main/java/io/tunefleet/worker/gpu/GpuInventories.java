package io.tunefleet.worker.gpu;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Builds the {@link GpuInventory} a worker's configuration names. */
public final class GpuInventories {

    /** The binary used when no path is configured: nvidia-smi from the PATH. */
    public static final String DEFAULT_NVIDIA_SMI = "nvidia-smi";

    private static final Pattern SIM = Pattern.compile("sim:(\\d{1,4})(?::(\\d{1,9}))?");

    private GpuInventories() {
    }

    /**
     * @param spec          {@code nvidia-smi} (or null/blank) for the real GPUs; {@code sim:N} or
     *                      {@code sim:N:MEMORY_MIB} for N simulated GPUs
     * @param nvidiaSmiPath the nvidia-smi binary; null or blank means {@value #DEFAULT_NVIDIA_SMI} from the PATH
     * @param namespace     for simulated GPUs: what makes their UUIDs unique to this worker (its id)
     * @throws IllegalArgumentException for any other spec, naming it and the accepted forms
     */
    public static GpuInventory fromSpec(String spec, String nvidiaSmiPath, String namespace) {
        String s = spec == null ? "" : spec.strip();
        if (s.isEmpty() || s.equals("nvidia-smi")) {
            String binary = nvidiaSmiPath == null || nvidiaSmiPath.isBlank() ? DEFAULT_NVIDIA_SMI : nvidiaSmiPath.strip();
            return new CachedInventory(new NvidiaSmiInventory(binary, NvidiaSmiInventory.DEFAULT_TIMEOUT),
                    CachedInventory.DEFAULT_TTL, java.time.Clock.systemUTC());
        }
        Matcher m = SIM.matcher(s);
        if (!m.matches() || Integer.parseInt(m.group(1)) < 1 || m.group(2) != null && Long.parseLong(m.group(2)) < 1) {
            throw new IllegalArgumentException("unknown GPU inventory spec '" + spec + "'; accepted forms:"
                    + " 'nvidia-smi' (or empty) for the real GPUs, 'sim:N' or 'sim:N:MEMORY_MIB' for N >= 1"
                    + " simulated GPUs (e.g. sim:4, sim:8:81559)");
        }
        long memory = m.group(2) == null ? SimulatedInventory.DEFAULT_MEMORY_MIB : Long.parseLong(m.group(2));
        return new SimulatedInventory(Integer.parseInt(m.group(1)), memory, namespace);
    }
}
