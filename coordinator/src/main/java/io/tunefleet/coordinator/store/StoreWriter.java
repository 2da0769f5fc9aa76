package io.tunefleet.coordinator.store;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The one writer. SQLite allows one writer at a time; several pooled connections writing at once
 * hit SQLITE_BUSY, one thread never does. Every write of the coordinator runs here, in a
 * transaction, and the caller waits for it to commit.
 */
@Component
public class StoreWriter implements AutoCloseable {

    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "store-writer");
        t.setDaemon(true);
        return t;
    });
    private final TransactionTemplate transactions;

    StoreWriter(TransactionTemplate transactions) {
        this.transactions = transactions;
    }

    /** Runs {@code work} in a transaction on the writer thread and returns its result once committed. */
    public <T> T write(Supplier<T> work) {
        Future<T> result = thread.submit(() -> transactions.execute(status -> work.get()));
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a store write", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    public void run(Runnable work) {
        write(() -> {
            work.run();
            return null;
        });
    }

    @Override
    public void close() {
        thread.shutdown();
    }
}
