package io.tunefleet.worker.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PortAllocatorTest {

    @TempDir
    Path locks;

    @Test
    void twoWorkersOnOneHostNeverGetTheSamePortAndAReleasedPortComesBack() throws Exception {
        PortAllocator a = new PortAllocator(21000, 21001, locks);
        PortAllocator b = new PortAllocator(21000, 21001, locks);

        PortAllocator.Lease first = a.reserve();
        PortAllocator.Lease second = b.reserve();
        assertThat(second.port()).isNotEqualTo(first.port());
        first.close();
        try (PortAllocator.Lease third = b.reserve()) {
            assertThat(third.port()).isEqualTo(first.port());
        }
        second.close();
    }

    @Test
    void aPortSomethingListensOnIsSkipped() throws Exception {
        try (ServerSocket busy = new ServerSocket()) {
            busy.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 21010));
            PortAllocator ports = new PortAllocator(21010, 21011, locks);
            try (PortAllocator.Lease lease = ports.reserve()) {
                assertThat(lease.port()).isEqualTo(21011);
            }
        }
    }
}
