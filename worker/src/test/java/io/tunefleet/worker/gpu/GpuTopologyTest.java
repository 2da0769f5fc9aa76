package io.tunefleet.worker.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@code nvidia-smi topo -m} read, and GPUs chosen by it. Samples: a DGX-1 (V100, NVLink hybrid
 * cube mesh, with its NIC columns and the underline escapes nvidia-smi prints) as published, and a
 * two-socket PCIe server built from the legend (pairs behind one switch, two switches a socket).
 */
class GpuTopologyTest {

    private static final GpuTopology DGX1 = GpuTopology.parse(FakeInventory.sample("dgx1-v100-topo.txt"));
    private static final GpuTopology PCIE = GpuTopology.parse(FakeInventory.sample("pcie-2socket-topo.txt"));

    @Test
    void theGpuMatrixIsReadAndNicColumnsAndAffinitiesIgnored() {
        assertThat(DGX1.known()).isTrue();
        assertThat(DGX1.link(0, 3)).isEqualTo("NV2");
        assertThat(DGX1.link(0, 1)).isEqualTo("NV1");
        assertThat(DGX1.link(0, 5)).isEqualTo("SYS");
        assertThat(DGX1.link(7, 7)).isEqualTo("X");
        assertThat(DGX1.link(0, 8)).as("no GPU8").isNull();
        assertThat(PCIE.link(0, 1)).isEqualTo("PIX");
        assertThat(PCIE.link(1, 2)).isEqualTo("NODE");
        assertThat(PCIE.link(3, 4)).isEqualTo("SYS");
    }

    @Test
    void theMatrixOfARealOneGpuH200HostReadsDespiteItsUnderlinedHeader() {
        // Captured on a one-GPU H200 host (driver 580): the header comes wrapped in ESC[4m ... ESC[0m.
        String captured = FakeInventory.sample("h200x1-topo.txt");
        assertThat(captured).startsWith("\t\u001b[4mGPU0");
        GpuTopology h200 = GpuTopology.parse(captured);
        assertThat(h200.known()).isTrue();
        assertThat(h200.link(0, 0)).isEqualTo("X");
    }

    @Test
    void fasterLinksCostLess() {
        assertThat(DGX1.cost(0, 3)).isLessThan(DGX1.cost(0, 1)); // NV2 < NV1
        assertThat(DGX1.cost(0, 1)).isLessThan(PCIE.cost(0, 1)); // NV1 < PIX
        assertThat(PCIE.cost(0, 1)).isLessThan(PCIE.cost(1, 2)); // PIX < NODE
        assertThat(PCIE.cost(1, 2)).isLessThan(PCIE.cost(3, 4)); // NODE < SYS
        assertThat(GpuTopology.UNKNOWN.cost(0, 5)).isEqualTo(GpuTopology.UNKNOWN.cost(0, 1));
    }

    @Test
    void textWithoutAGpuMatrixOrWithARaggedRowIsRefusedSayingWhy() {
        assertThatThrownBy(() -> GpuTopology.parse("No devices were found"))
                .isInstanceOf(GpuInventoryException.class).hasMessageContaining("no GPU matrix");
        assertThatThrownBy(() -> GpuTopology.parse("\tGPU0\tGPU1\nGPU0\t X \tNV4\nGPU1\tNV4\n"))
                .isInstanceOf(GpuInventoryException.class).hasMessageContaining("row GPU1 has 1 cells for 2");
    }

    @Test
    void aTwoGpuJobGetsThePairBehindOneSwitchNotOneAcrossSockets() {
        // the plain rule would take 3 and 4, consecutive but on two sockets
        assertThat(BlockChooser.choose(new TreeSet<>(List.of(3, 4, 6, 7)), 2, PCIE)).containsExactly(6, 7);
        assertThat(BlockChooser.choose(new TreeSet<>(List.of(3, 4, 6, 7)), 2)).containsExactly(3, 4);
    }

    @Test
    void aFourGpuJobStaysOnOneSocketAndOnOneNvlinkQuad() {
        assertThat(BlockChooser.choose(new TreeSet<>(List.of(2, 3, 4, 5, 6, 7)), 4, PCIE)).containsExactly(4, 5, 6, 7);
        // on the cube mesh 1, 2, 3 and 4 would put GPU4 one SYS hop from 1, 2 and 3
        assertThat(BlockChooser.choose(new TreeSet<>(List.of(1, 2, 3, 4, 5, 6, 7)), 4, DGX1))
                .containsExactly(4, 5, 6, 7);
    }

    @Test
    void onTheCubeMeshAPairTakesADoubleNvlink() {
        // 0-1 and 4-5 are NV1, 0-4 and 1-5 NV2, 0-5 and 1-4 not linked
        assertThat(BlockChooser.choose(new TreeSet<>(List.of(0, 1, 4, 5)), 2, DGX1)).containsExactly(0, 4);
    }

    @Test
    void aOneGpuJobTakesTheGpuWorstLinkedToTheRestKeepingAGroupWhole() {
        assertThat(BlockChooser.choose(new TreeSet<>(List.of(0, 1, 2, 3, 4)), 1, PCIE)).containsExactly(4);
        assertThat(BlockChooser.choose(new TreeSet<>(List.of(0, 1, 2, 3, 4)), 1)).containsExactly(0);
    }

    @Test
    void whereLinksAreAllAlikeThePlainChoiceStands() {
        TreeSet<Integer> free = new TreeSet<>(List.of(0, 2, 3, 5, 6, 7));
        for (int count = 1; count <= 6; count++) {
            assertThat(BlockChooser.choose(free, count, GpuTopology.UNKNOWN)).containsExactlyElementsOf(
                    BlockChooser.choose(free, count));
        }
    }
}
