package io.tunefleet.coordinator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunefleet.common.message.ClaimMessage;
import io.tunefleet.common.message.HeartbeatMessage;
import io.tunefleet.common.message.Schema;
import io.tunefleet.common.message.Topology;
import io.tunefleet.coordinator.config.CoordinatorProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.listener.ConsumeOkEvent;

/** When a worker counts as lost: only after a worker timeout of silence while the coordinator listened. */
class FleetViewTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final Clock clock = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }
    };
    private final FleetView fleet = new FleetView(clock, new CoordinatorProperties("db", Duration.ofSeconds(1),
            Duration.ofSeconds(3), Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(60)));

    private HeartbeatMessage heartbeat(String worker) {
        return new HeartbeatMessage(Schema.VERSION, worker, "host", 8, 8, 0, 0, now.get());
    }

    private static ClaimMessage claim(String worker, long claimedAtMs) {
        return new ClaimMessage(Schema.VERSION, worker, "host", 1, 1, 1, List.of(0), claimedAtMs);
    }

    @Test
    void aClaimOrResultKeepsAKnownWorkerLiveWhenItsHeartbeatsAreLate() {
        fleet.heard(heartbeat("w1"));
        now.addAndGet(2_500);
        fleet.sawAlive(claim("w1", now.get() - 10)); // just sent
        now.addAndGet(2_500);

        assertThat(fleet.isLive("w1")).isTrue();
        now.addAndGet(3_001);
        assertThat(fleet.isLive("w1")).isFalse();
    }

    @Test
    void aRecordReadBeforeAHeartbeatReplacedItStillSaysWhetherItWasLive() {
        fleet.heard(heartbeat("w1"));
        var read = fleet.all().get(0);
        now.addAndGet(1_000);
        fleet.heard(heartbeat("w1")); // a newer record replaces the one just read

        assertThat(fleet.isLive(read)).as("live as read, though no longer the record held").isTrue();
        now.addAndGet(2_500);
        assertThat(fleet.isLive(read)).as("last seen 3.5 s ago").isFalse();
        assertThat(fleet.isLive("w1")).isTrue();
    }

    @Test
    void aStaleClaimOrAnUnknownWorkerProvesNothing() {
        fleet.heard(heartbeat("w1"));
        now.addAndGet(2_500);
        fleet.sawAlive(claim("w1", now.get() - 3_500)); // waited in the queue longer than the timeout
        fleet.sawAlive(claim("w9", now.get()));
        now.addAndGet(1_000);

        assertThat(fleet.isLive("w1")).isFalse();
        assertThat(fleet.isLive("w9")).isFalse();
        assertThat(fleet.all()).extracting(s -> s.heartbeat().workerId()).containsExactly("w1");
    }

    @Test
    void silenceCountsOnlyAfterAWorkerTimeoutOfListening() {
        assertThat(fleet.listenedLongEnough()).as("just started: nobody heard yet").isFalse();
        now.addAndGet(3_000);
        assertThat(fleet.listenedLongEnough()).as("a worker timeout after the start").isTrue();

        fleet.deaf(); // the heartbeat consumer failed: the broker went away
        now.addAndGet(60_000);
        assertThat(fleet.listenedLongEnough()).isFalse();

        fleet.onConsumeOk(new ConsumeOkEvent(this, Topology.HEARTBEATS_QUEUE, "tag"));
        now.addAndGet(2_999);
        assertThat(fleet.listenedLongEnough()).isFalse();
        now.addAndGet(1);
        assertThat(fleet.listenedLongEnough()).isTrue();

        fleet.onConsumeOk(new ConsumeOkEvent(this, Topology.RESULTS_QUEUE, "tag"));
        assertThat(fleet.listenedLongEnough()).as("another queue's consumer says nothing").isTrue();
    }
}
