package io.tunefleet.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tunefleet.worker.bench.ScriptedEngine.Answer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A level ends only once its users have stopped: the requests in flight at its time limit finish and
 * count if they take at most a request timeout more (the time limit, if that is shorter), those still
 * streaming then are cut and count as timeouts rather than load the server under the next level, and a
 * level that cannot start all its users stops those it started instead of leaving them waiting.
 */
class BenchmarkLevelEndTest {

    private static final Duration TIME_LIMIT = Duration.ofSeconds(1);

    private static BenchmarkPlan plan(List<Integer> concurrency, int requests, int warmup) {
        return new BenchmarkPlan(List.of(TrafficScenario.parse("D(8,4)")), concurrency, requests, TIME_LIMIT, warmup,
                1, 1);
    }

    private static BenchmarkClient client(ScriptedEngine engine, Duration requestTimeout) {
        return new BenchmarkClient(URI.create("http://127.0.0.1:" + engine.port()), "m", false, requestTimeout);
    }

    @Test
    @Timeout(60)
    void noRequestOfALevelPastItsTimeLimitIsStillOpenWhenTheNextLevelStarts() throws Exception {
        // Level 1 (two users) gets two answers that stream a chunk every 200 ms for as long as the client
        // reads them, within its 1 s read timeout, past the 1 s limit and the 1 s request timeout after it;
        // level 2 (one user) gets quick ones from request 3 on.
        AtomicReference<Set<Integer>> openWhenLevel2Began = new AtomicReference<>();
        try (ScriptedEngine engine = new ScriptedEngine(
                n -> n <= 2 ? Answer.endless(Duration.ofMillis(200)) : Answer.quick(),
                (self, n) -> {
                    if (n == 3) {
                        openWhenLevel2Began.set(self.openOnceSettled(Duration.ofSeconds(5)));
                    }
                })) {

            List<LevelResult> levels = client(engine, Duration.ofSeconds(1)).run(plan(List.of(2, 1), 3, 0));

            await().atMost(Duration.ofSeconds(10)).until(() -> openWhenLevel2Began.get() != null);
            assertThat(openWhenLevel2Began.get()).as("level 1's requests still open when level 2 began").isEmpty();
            assertThat(engine.cut()).as("closed by the client a request timeout past level 1's time limit")
                    .containsExactlyInAnyOrder(1, 2);
            assertThat(levels.get(0).requests()).isEqualTo(2);
            assertThat(levels.get(0).errors()).isEqualTo(java.util.Map.of("timeout", 2));
            assertThat(levels.get(1).requests()).isEqualTo(3);
            assertThat(levels.get(1).successRate()).isEqualTo(1.0);
        }
    }

    @Test
    @Timeout(60)
    void aRequestInFlightAtTheTimeLimitFinishesAndCountsWhenItEndsWithinTheDrainGrace() throws Exception {
        // The first request streams for 1.2 s, past the 1 s limit but well within the grace after it (the
        // 1 s limit, shorter than the 5 s request timeout: 0.8 s to spare on a loaded machine); the other
        // user's three requests are answered at once. A long request is the likeliest to be in flight at
        // any instant: left out, it would make the level's latencies read low.
        try (ScriptedEngine engine = new ScriptedEngine(
                n -> n == 1 ? Answer.slow(12, Duration.ofMillis(100)) : Answer.quick())) {

            LevelResult level = client(engine, Duration.ofSeconds(5)).run(plan(List.of(2), 4, 0)).get(0);

            assertThat(level.requests()).isEqualTo(4);
            assertThat(level.succeeded()).isEqualTo(4);
            assertThat(level.errors()).isEmpty();
            assertThat(level.successRate()).isEqualTo(1.0);
            assertThat(level.durationS()).as("up to its last answer, past the limit").isGreaterThan(1.1);
            assertThat(engine.cut()).isEmpty();
        }
    }

    @Test
    @Timeout(60)
    void aLevelWaitsPastItsTimeLimitNoLongerThanTheLimitItselfThoughTheRequestTimeoutIsLonger() throws Exception {
        // The first request would stream for 3 s: past the 1 s limit and the 1 s grace after it, though
        // within the 5 s request timeout. A level takes at most twice its limit.
        try (ScriptedEngine engine = new ScriptedEngine(
                n -> n == 1 ? Answer.slow(30, Duration.ofMillis(100)) : Answer.quick())) {

            LevelResult level = client(engine, Duration.ofSeconds(5)).run(plan(List.of(2), 4, 0)).get(0);

            assertThat(level.requests()).isEqualTo(4);
            assertThat(level.succeeded()).isEqualTo(3);
            assertThat(level.errors()).isEqualTo(java.util.Map.of("timeout", 1));
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(engine.cut()).containsExactly(1));
        }
    }

    static Stream<Throwable> threadFailures() {
        return Stream.of(new OutOfMemoryError("unable to create native thread: possibly out of memory"),
                new IllegalStateException("the thread factory failed"));
    }

    @ParameterizedTest
    @MethodSource("threadFailures")
    @Timeout(60)
    void aLevelThatCannotStartAllItsUsersStopsThoseItStartedAndFails(Throwable failure) throws Exception {
        // The third of four users' threads cannot be made; the two started are in their warm-up or waiting.
        List<Thread> made = new CopyOnWriteArrayList<>();
        ThreadFactory failsOnTheThird = r -> {
            if (made.size() == 2) {
                if (failure instanceof Error e) {
                    throw e;
                }
                throw (RuntimeException) failure;
            }
            Thread t = new Thread(r);
            made.add(t);
            return t;
        };
        try (ScriptedEngine engine = new ScriptedEngine(n -> Answer.quick())) {
            BenchmarkClient client = new BenchmarkClient(URI.create("http://127.0.0.1:" + engine.port()), "m", false,
                    Duration.ofSeconds(5), failsOnTheThird);

            assertThatThrownBy(() -> client.run(plan(List.of(4), 8, 1)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("at concurrency 4: could not start user 3")
                    .hasCause(failure);

            assertThat(made).hasSize(2).noneMatch(Thread::isAlive);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(engine.open()).isEmpty());
        }
    }
}
