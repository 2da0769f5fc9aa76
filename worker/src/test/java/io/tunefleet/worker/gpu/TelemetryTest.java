package io.tunefleet.worker.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TelemetryTest {

    @TempDir
    Path locks;

    @Test
    void parsesUtilizationMemoryAndPowerOfEachGpu() {
        List<GpuSample> samples = NvidiaSmiParser.parseSamples(FakeInventory.sample("h100x2-telemetry.csv"));

        assertThat(samples).hasSize(2);
        assertThat(samples.get(0).utilizationPercent()).hasValue(97);
        assertThat(samples.get(0).memoryUsedMib()).isEqualTo(71234);
        assertThat(samples.get(1).powerWatts()).hasValue(598.31);
    }

    @Test
    void powerNotReportedIsLeftEmpty() {
        List<GpuSample> samples = NvidiaSmiParser.parseSamples(FakeInventory.sample("a100x1-telemetry-no-power.csv"));

        assertThat(samples).singleElement().satisfies(s -> assertThat(s.powerWatts()).isEmpty());
    }

    @Test
    void theSamplerSumsUpTheReservedGpusOnly() {
        AtomicInteger reads = new AtomicInteger();
        FakeInventory fake = new FakeInventory(List.of(
                new GpuInfo(0, "GPU-00000000-aaaa-bbbb-cccc-000000000000", "H100", 81559, 1000, OptionalInt.of(40)),
                new GpuInfo(1, "GPU-00000000-aaaa-bbbb-cccc-000000000001", "H100", 81559, 3000, OptionalInt.of(60)),
                new GpuInfo(2, "GPU-00000000-aaaa-bbbb-cccc-000000000002", "H100", 81559, 70000, OptionalInt.of(100))),
                List.of());
        GpuInventory counting = new GpuInventory() {
            @Override
            public List<GpuInfo> gpus() {
                return fake.gpus();
            }

            @Override
            public List<GpuProcess> processes() {
                return fake.processes();
            }

            @Override
            public List<GpuSample> samples() {
                reads.incrementAndGet();
                return GpuInventory.super.samples();
            }
        };
        GpuPool pool = new GpuPool(counting, locks, Clock.systemUTC());

        TelemetrySampler sampler = TelemetrySampler.start(pool, List.of(0, 1), Duration.ofMillis(10));
        await().atMost(Duration.ofSeconds(5)).until(() -> reads.get() >= 3);
        var metrics = sampler.stop();

        assertThat(metrics.get("gpu_utilization_mean_pct")).isEqualTo(50.0);
        assertThat(metrics.get("gpu_utilization_max_pct")).isEqualTo(60.0);
        assertThat(metrics.get("gpu_memory_used_max_mib")).isEqualTo(3000.0);
        assertThat(metrics).doesNotContainKey("gpu_power_mean_w");
        assertThat(metrics.get("gpu_telemetry_samples")).isGreaterThanOrEqualTo(6.0);
    }
}
