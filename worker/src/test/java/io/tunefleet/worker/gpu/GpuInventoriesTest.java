package io.tunefleet.worker.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class GpuInventoriesTest {

    @Test
    void simSpecGivesThatManyH100SizedGpus() {
        List<GpuInfo> gpus = GpuInventories.fromSpec("sim:4", null, "worker-a").gpus();

        assertThat(gpus).extracting(GpuInfo::index).containsExactly(0, 1, 2, 3);
        assertThat(gpus).extracting(GpuInfo::memoryTotalMib).containsOnly(81559L);
        assertThat(gpus).allSatisfy(g -> assertThat(g.uuid())
                .matches("GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"));
    }

    @Test
    void simSpecTakesTheMemorySize() {
        assertThat(GpuInventories.fromSpec(" sim:2:143771 ", null, "w").gpus())
                .extracting(GpuInfo::memoryTotalMib).containsExactly(143771L, 143771L);
    }

    @Test
    void simulatedWorkersInOneJvmGetDistinctButStableUuids() {
        List<String> a = uuids(GpuInventories.fromSpec("sim:8", null, "worker-a"));
        List<String> b = uuids(GpuInventories.fromSpec("sim:8", null, "worker-b"));

        assertThat(a).doesNotHaveDuplicates().doesNotContainAnyElementsOf(b);
        assertThat(uuids(GpuInventories.fromSpec("sim:8", null, "worker-a"))).isEqualTo(a);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"nvidia-smi", "  "})
    void nvidiaSmiOrNoSpecMeansRealGpus(String spec) {
        assertThat(GpuInventories.fromSpec(spec, "/opt/nvidia/bin/nvidia-smi", null))
                .isInstanceOf(CachedInventory.class)
                .asString().startsWith("nvidia-smi at /opt/nvidia/bin/nvidia-smi (readings reused");
        assertThat(GpuInventories.fromSpec(spec, null, null)).asString().startsWith("nvidia-smi at nvidia-smi ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sim", "sim:", "sim:0", "sim:x", "sim:4:", "sim:4:0", "gpu:4", "SIM:4", "nvidia"})
    void aBadSpecIsRejectedNamingItAndTheAcceptedForms(String spec) {
        assertThatThrownBy(() -> GpuInventories.fromSpec(spec, null, "w"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + spec + "'")
                .hasMessageContaining("'nvidia-smi'")
                .hasMessageContaining("'sim:N' or 'sim:N:MEMORY_MIB'");
    }

    @Test
    void aSimulatedInventoryNeedsANamespace() {
        assertThatThrownBy(() -> GpuInventories.fromSpec("sim:2", null, " "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("namespace");
    }

    private static List<String> uuids(GpuInventory inventory) {
        return inventory.gpus().stream().map(GpuInfo::uuid).toList();
    }
}
