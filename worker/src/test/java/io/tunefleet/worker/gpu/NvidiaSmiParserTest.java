package io.tunefleet.worker.gpu;

import static io.tunefleet.worker.gpu.FakeInventory.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class NvidiaSmiParserTest {

    private static final String H200 = "GPU-d81ed9fc-c68a-7e02-1287-080306983cbb";

    @Test
    void readsAnEightWayH100Box() {
        List<GpuInfo> gpus = NvidiaSmiParser.parseGpus(sample("h100x8-query-gpu.csv"));

        assertThat(gpus).hasSize(8);
        assertThat(gpus).extracting(GpuInfo::index).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(gpus).allSatisfy(g -> {
            assertThat(g.name()).isEqualTo("NVIDIA H100 80GB HBM3");
            assertThat(g.memoryTotalMib()).isEqualTo(81559);
            assertThat(g.uuid()).matches("GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        });
        assertThat(gpus.get(2).memoryUsedMib()).isEqualTo(74212);
        assertThat(gpus.get(2).utilizationPercent()).hasValue(97);
        assertThat(gpus.get(2).uuid()).isEqualTo("GPU-0e9d8c7b-6a5f-4e3d-2c1b-0a9f8e7d6c5b");
    }

    @Test
    void readsAnA100BoxWhoseUtilizationIsNotAvailableOnOneGpu() {
        List<GpuInfo> gpus = NvidiaSmiParser.parseGpus(sample("a100x4-query-gpu.csv"));

        assertThat(gpus).hasSize(4);
        assertThat(gpus).extracting(GpuInfo::name).containsOnly("NVIDIA A100-SXM4-40GB");
        assertThat(gpus).extracting(GpuInfo::memoryTotalMib).containsOnly(40960L);
        assertThat(gpus.get(2).utilizationPercent()).isEmpty();
        assertThat(gpus.get(2).memoryUsedMib()).isEqualTo(12);
        assertThat(gpus.get(3).utilizationPercent()).hasValue(100);
    }

    @Test
    void readsAnH200AsCapturedIdleAndWithAForeignProcess() {
        List<GpuInfo> idle = NvidiaSmiParser.parseGpus(sample("h200x1-query-gpu.csv"));
        assertThat(idle).singleElement().satisfies(g -> {
            assertThat(g.uuid()).isEqualTo(H200);
            assertThat(g.name()).isEqualTo("NVIDIA H200");
            assertThat(g.memoryTotalMib()).isEqualTo(143771);
            assertThat(g.memoryUsedMib()).isZero();
        });
        assertThat(NvidiaSmiParser.parseProcesses(sample("h200x1-compute-apps-idle.csv"))).as("empty output").isEmpty();

        assertThat(NvidiaSmiParser.parseGpus(sample("h200x1-query-gpu-foreign.csv")).get(0).memoryUsedMib())
                .isEqualTo(8719);
        assertThat(NvidiaSmiParser.parseProcesses(sample("h200x1-compute-apps-foreign.csv")))
                .containsExactly(new GpuProcess(H200, 541, OptionalLong.of(8710)));
        assertThat(NvidiaSmiParser.parseSamples(sample("h200x1-telemetry.csv"))).singleElement().satisfies(s -> {
            assertThat(s.utilizationPercent()).hasValue(30);
            assertThat(s.memoryUsedMib()).isEqualTo(7081);
            assertThat(s.powerWatts()).hasValue(155.0);
        });
    }

    @Test
    void readsComputeAppsIncludingUnknownMemory() {
        List<GpuProcess> processes = NvidiaSmiParser.parseProcesses(sample("h100x8-compute-apps.csv"));

        assertThat(processes).containsExactly(
                new GpuProcess("GPU-0e9d8c7b-6a5f-4e3d-2c1b-0a9f8e7d6c5b", 2716384, OptionalLong.of(70144)),
                new GpuProcess("GPU-0e9d8c7b-6a5f-4e3d-2c1b-0a9f8e7d6c5b", 2716391, OptionalLong.of(3580)),
                new GpuProcess("GPU-c2d3e4f5-a6b7-48c9-9dae-bf0c1d2e3f40", 1893, OptionalLong.empty()));
    }

    @Test
    void toleratesWindowsLineEndingsBlankLinesExtraSpacesAndNotSupported() {
        String output = "\r\n0,  GPU-11111111-2222-3333-4444-555555555555 ,  Tesla T4 , 15360,  5 , [Not Supported]\r\n"
                + "\r\n   \r\n1, GPU-66666666-7777-8888-9999-000000000000, Tesla T4, 15360, [N/A], 42\r\n";

        List<GpuInfo> gpus = NvidiaSmiParser.parseGpus(output);

        assertThat(gpus).containsExactly(
                new GpuInfo(0, "GPU-11111111-2222-3333-4444-555555555555", "Tesla T4", 15360, 5, OptionalInt.empty()),
                new GpuInfo(1, "GPU-66666666-7777-8888-9999-000000000000", "Tesla T4", 15360, GpuInfo.UNKNOWN_MIB,
                        OptionalInt.of(42)));
        assertThat(gpus.get(1).memoryUsedKnown()).isFalse();
    }

    @Test
    void noComputeAppsIsAnEmptyList() {
        assertThat(NvidiaSmiParser.parseProcesses("")).isEmpty();
        assertThat(NvidiaSmiParser.parseProcesses("\n")).isEmpty();
        assertThat(NvidiaSmiParser.parseProcesses("No running processes found\n")).isEmpty();
    }

    @Test
    void aLineWithMissingFieldsIsRejectedNamingTheLine() {
        String output = "0, GPU-4c3d7a1e-9f2b-6e58-1d0a-8b7c6f5e4d3c, NVIDIA H100 80GB HBM3, 81559, 0, 0\n"
                + "1, GPU-a81f2c64-0b3e-4d57-9e1a-3c2b5d7f8e90, NVIDIA H100 80GB HBM3, 81559\n";

        assertThatThrownBy(() -> NvidiaSmiParser.parseGpus(output))
                .isInstanceOf(GpuInventoryException.class)
                .hasMessageContaining("line 2")
                .hasMessageContaining("expected 6 comma-separated fields")
                .hasMessageContaining("'1, GPU-a81f2c64-0b3e-4d57-9e1a-3c2b5d7f8e90, NVIDIA H100 80GB HBM3, 81559'");
    }

    @Test
    void figuresWithUnitsAreRejectedWithAHint() {
        String output = "0, GPU-4c3d7a1e-9f2b-6e58-1d0a-8b7c6f5e4d3c, NVIDIA H100 80GB HBM3, 81559 MiB, 0 MiB, 0 %\n";

        assertThatThrownBy(() -> NvidiaSmiParser.parseGpus(output))
                .isInstanceOf(GpuInventoryException.class)
                .hasMessageContaining("line 1")
                .hasMessageContaining("memory.total '81559 MiB' is not a whole number")
                .hasMessageContaining("nounits");
    }

    @Test
    void aProcessLineWithoutPidIsRejected() {
        assertThatThrownBy(() -> NvidiaSmiParser.parseProcesses("GPU-4c3d7a1e-9f2b-6e58-1d0a-8b7c6f5e4d3c, [N/A], 100"))
                .isInstanceOf(GpuInventoryException.class)
                .hasMessageContaining("line 1")
                .hasMessageContaining("pid is [N/A] but must be a number");
    }
}
