package io.tunefleet.worker.runtime;

import java.util.concurrent.CountDownLatch;

/** An engine that never serves and ignores TERM (its shutdown hook never returns): only KILL stops it. */
public final class StubbornEngineMain {

    private StubbornEngineMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        CountDownLatch never = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("stubborn engine: TERM received, ignoring it");
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        System.out.println("stubborn engine: loading weights forever");
        never.await();
    }
}
