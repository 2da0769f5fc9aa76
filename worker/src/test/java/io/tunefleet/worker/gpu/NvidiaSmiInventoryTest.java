package io.tunefleet.worker.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs a real process: a fake nvidia-smi script that prints captured output for the query it gets. */
class NvidiaSmiInventoryTest {

    @TempDir
    Path dir;

    @Test
    void runsNvidiaSmiAndParsesBothQueries() throws IOException {
        Files.writeString(dir.resolve("gpus.csv"), FakeInventory.sample("h100x8-query-gpu.csv"));
        Files.writeString(dir.resolve("apps.csv"), FakeInventory.sample("h100x8-compute-apps.csv"));
        Path fake = script("""
                #!/bin/sh
                [ "$2" = "--format=csv,noheader,nounits" ] || { echo "bad format arg: $2" >&2; exit 2; }
                case "$1" in
                  --query-gpu=index,uuid,name,memory.total,memory.used,utilization.gpu) cat "%1$s/gpus.csv" ;;
                  --query-compute-apps=gpu_uuid,pid,used_memory) cat "%1$s/apps.csv" ;;
                  *) echo "unexpected query: $1" >&2; exit 2 ;;
                esac
                """.formatted(dir));
        GpuInventory inventory = GpuInventories.fromSpec("nvidia-smi", fake.toString(), "unused");

        assertThat(inventory.gpus()).hasSize(8).allSatisfy(g -> assertThat(g.memoryTotalMib()).isEqualTo(81559));
        assertThat(inventory.processes()).hasSize(3)
                .extracting(GpuProcess::pid).containsExactly(2716384, 2716391, 1893);
    }

    @Test
    void readsTheTopologyWithTopoM() throws IOException {
        Files.writeString(dir.resolve("topo.txt"), FakeInventory.sample("dgx1-v100-topo.txt"));
        Path fake = script("""
                #!/bin/sh
                [ "$1 $2" = "topo -m" ] || { echo "unexpected arguments: $*" >&2; exit 2; }
                cat "%s/topo.txt"
                """.formatted(dir));

        GpuTopology topology = new NvidiaSmiInventory(fake.toString(), Duration.ofSeconds(10)).topology();

        assertThat(topology.link(0, 3)).isEqualTo("NV2");
        assertThat(topology.link(6, 1)).isEqualTo("SYS");
    }

    /** Exit code 14, a corrupted infoROM: nvidia-smi still lists every GPU, and the host keeps them. */
    @Test
    void aCorruptedInfoRomIsAWarningAndTheReadingStands() throws IOException {
        Files.writeString(dir.resolve("gpus.csv"), FakeInventory.sample("h100x8-query-gpu.csv"));
        Path fake = script("""
                #!/bin/sh
                echo "WARNING: infoROM is corrupted at gpu 0000:0B:00.0"
                cat "%s/gpus.csv"
                exit 14
                """.formatted(dir));

        GpuInventory inventory = new NvidiaSmiInventory(fake.toString(), Duration.ofSeconds(10));

        assertThat(inventory.gpus()).hasSize(8);
    }

    @Test
    void anInfoRomExitWithNothingReportedIsStillAFailure() throws IOException {
        Path fake = script("""
                #!/bin/sh
                echo "infoROM is corrupted" >&2
                exit 14
                """);

        assertThatThrownBy(new NvidiaSmiInventory(fake.toString(), Duration.ofSeconds(10))::gpus)
                .isInstanceOf(GpuInventoryException.class).hasMessageContaining("exit code 14");
    }

    @Test
    void aFailingNvidiaSmiIsReportedWithExitCodeAndStderr() throws IOException {
        Path fake = script("""
                #!/bin/sh
                echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver." >&2
                exit 9
                """);
        GpuInventory inventory = new NvidiaSmiInventory(fake.toString(), Duration.ofSeconds(10));

        assertThatThrownBy(inventory::gpus)
                .isInstanceOf(GpuInventoryException.class)
                .hasMessageContaining("exit code 9")
                .hasMessageContaining("couldn't communicate with the NVIDIA driver")
                .hasMessageContaining("--query-gpu=");
    }

    @Test
    void aHangingNvidiaSmiIsKilledAfterTheTimeout() throws IOException {
        Path fake = script("""
                #!/bin/sh
                exec sleep 60
                """);
        GpuInventory inventory = new NvidiaSmiInventory(fake.toString(), Duration.ofMillis(300));

        assertThatThrownBy(inventory::processes)
                .isInstanceOf(GpuInventoryException.class)
                .hasMessageContaining("did not finish within PT0.3S");
    }

    @Test
    void aMissingBinaryIsReportedWithItsPath() {
        GpuInventory inventory = new NvidiaSmiInventory(dir.resolve("no-such-nvidia-smi").toString(), Duration.ofSeconds(10));

        assertThatThrownBy(inventory::gpus)
                .isInstanceOf(GpuInventoryException.class)
                .hasMessageContaining("cannot run " + dir.resolve("no-such-nvidia-smi"));
    }

    private Path script(String body) throws IOException {
        Path file = dir.resolve("nvidia-smi");
        Files.writeString(file, body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
