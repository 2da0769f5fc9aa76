package io.tunefleet.worker.gpu;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * A host of identical fake GPUs for the demo, the tests and laptops ({@code sim:N}).
 *
 * <p>UUIDs are deterministic and carry a prefix derived from the namespace (the worker id), so two
 * simulated workers in one JVM, sharing one lock directory, never collide on a GPU lock file; and the
 * same worker gets the same UUIDs after a restart. Tests may change memory use and processes to
 * play a dirty or foreign-busy GPU.
 */
final class SimulatedInventory implements GpuInventory {

    static final long DEFAULT_MEMORY_MIB = 81_559; // what nvidia-smi reports for an H100 80GB HBM3
    static final String NAME = "Simulated GPU";

    private final String namespace;
    private final long memoryMib;
    private final long[] memoryUsedMib;
    /** Computed once: the claim loop reads the inventory on every reservation. */
    private final List<String> uuids;
    private final List<GpuProcess> processes = new ArrayList<>();

    SimulatedInventory(int count, long memoryMib, String namespace) {
        if (count < 1) {
            throw new IllegalArgumentException("a simulated host needs at least 1 GPU, got " + count);
        }
        if (memoryMib < 1) {
            throw new IllegalArgumentException("simulated GPU memory must be positive, got " + memoryMib + " MiB");
        }
        if (namespace == null || namespace.isBlank()) {
            throw new IllegalArgumentException("a simulated inventory needs a namespace (e.g. the worker id)"
                    + " so that simulated workers in one JVM get distinct GPU UUIDs");
        }
        this.namespace = namespace;
        this.memoryMib = memoryMib;
        this.memoryUsedMib = new long[count];
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(uuid(namespace, i));
        }
        this.uuids = List.copyOf(ids);
    }

    /** {@code GPU-<8 hex of the namespace>-51a0-4000-8000-<index>}: real format, stable, per worker. */
    static String uuid(String namespace, int index) {
        String prefix = UUID.nameUUIDFromBytes(namespace.getBytes(StandardCharsets.UTF_8)).toString().substring(0, 8);
        return String.format("GPU-%s-51a0-4000-8000-%012x", prefix, index);
    }

    @Override
    public synchronized List<GpuInfo> gpus() {
        List<GpuInfo> gpus = new ArrayList<>();
        for (int i = 0; i < memoryUsedMib.length; i++) {
            gpus.add(new GpuInfo(i, uuids.get(i), NAME, memoryMib, memoryUsedMib[i], OptionalInt.of(0)));
        }
        return List.copyOf(gpus);
    }

    @Override
    public synchronized List<GpuProcess> processes() {
        return List.copyOf(processes);
    }

    synchronized void setMemoryUsed(int index, long mib) {
        memoryUsedMib[index] = mib;
    }

    synchronized void addProcess(GpuProcess process) {
        processes.add(Objects.requireNonNull(process));
    }

    synchronized void removeProcess(int pid) {
        processes.removeIf(p -> p.pid() == pid);
    }

    String uuidOf(int index) {
        return uuids.get(index);
    }

    @Override
    public String toString() {
        return "sim:" + memoryUsedMib.length + ":" + memoryMib + " (" + namespace + ")";
    }
}
