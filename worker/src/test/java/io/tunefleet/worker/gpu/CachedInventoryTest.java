package io.tunefleet.worker.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CachedInventoryTest {

    private final AtomicInteger reads = new AtomicInteger();
    private final SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final GpuInventory counting = new GpuInventory() {
        @Override
        public List<GpuInfo> gpus() {
            reads.incrementAndGet();
            return List.of();
        }

        @Override
        public List<GpuProcess> processes() {
            reads.incrementAndGet();
            return List.of();
        }
    };

    @Test
    void reusesAReadingYoungerThanItsTimeToLive() {
        CachedInventory cached = new CachedInventory(counting, Duration.ofMillis(500), clock);

        cached.gpus();
        cached.processes();
        clock.advance(Duration.ofMillis(499));
        cached.gpus();
        cached.processes();

        assertThat(reads).hasValue(2);
    }

    @Test
    void readsAgainOnceTheReadingIsOld() {
        CachedInventory cached = new CachedInventory(counting, Duration.ofMillis(500), clock);

        cached.gpus();
        clock.advance(Duration.ofMillis(500));
        cached.gpus();

        assertThat(reads).hasValue(2);
    }

    @Test
    void readsAgainWhenTheClockWasSetBack() {
        CachedInventory cached = new CachedInventory(counting, Duration.ofMillis(500), clock);

        cached.gpus();
        clock.advance(Duration.ofHours(-1)); // an NTP step, a VM resumed
        cached.gpus();

        assertThat(reads).as("a reading from the future is no reading to reuse for an hour").hasValue(2);
    }
}
