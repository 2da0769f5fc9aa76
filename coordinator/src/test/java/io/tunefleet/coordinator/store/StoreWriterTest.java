package io.tunefleet.coordinator.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tunefleet.common.param.ParameterSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreWriterTest {

    static final int THREADS = 16;
    static final int WRITES_PER_THREAD = 25;

    @TempDir
    Path dir;
    SqliteStore store;

    @BeforeEach
    void openStore() {
        store = new SqliteStore(dir.resolve("t.db"));
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void manyThreadsWritingAtOnceAllSucceedOnTheOneWriterThreadWhileReadersRead() throws Exception {
        long task = store.task("minimize_latency");
        Set<String> writerThreads = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS + 2);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int n = 0; n < WRITES_PER_THREAD; n++) {
                        int i = n;
                        int seq = thread * WRITES_PER_THREAD + i + 1;
                        store.writer.write(() -> {
                            writerThreads.add(Thread.currentThread().getName());
                            return store.experiments.insertPending(task, seq,
                                    ParameterSet.of(Map.of("thread", thread, "i", i)), 1);
                        });
                    }
                    return null;
                }));
            }
            // readers on the other pooled connections, while the writer writes (WAL lets them)
            for (int r = 0; r < 2; r++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 50; i++) {
                        store.experiments.countByState(task);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS); // rethrows any SQLITE_BUSY as an ExecutionException
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(store.experiments.byTask(task)).hasSize(THREADS * WRITES_PER_THREAD);
        assertThat(writerThreads).containsExactly("store-writer");
    }

    @Test
    void writeThatThrowsIsRolledBackAndTheErrorReachesTheCaller() {
        long task = store.task("minimize_latency");

        assertThatThrownBy(() -> store.writer.write(() -> {
            store.experiments.insertPending(task, 1, ParameterSet.of(Map.of("tp-size", 1)), 1);
            throw new IllegalStateException("boom");
        })).isInstanceOf(IllegalStateException.class).hasMessage("boom");

        assertThat(store.experiments.byTask(task)).isEmpty();
        // the writer thread survives the failure
        assertThat(store.writer.write(() ->
                store.experiments.insertPending(task, 1, ParameterSet.of(Map.of("tp-size", 1)), 1))).isNotNull();
    }
}
