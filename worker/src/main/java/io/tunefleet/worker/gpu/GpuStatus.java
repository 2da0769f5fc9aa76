package io.tunefleet.worker.gpu;

/**
 * One GPU in a {@link GpuPool#snapshot()}.
 *
 * @param owner  who holds it, where reserved (also while quarantined); else null
 * @param detail why it is QUARANTINED or FOREIGN_BUSY; else null
 */
public record GpuStatus(int index, String uuid, State state, String owner, String detail) {

    /** One state per GPU; where several apply, the first listed after FREE wins. */
    public enum State {
        /** Can be reserved. */
        FREE,
        /** Taken out of service (dirty after an experiment, or by an operator); never handed out. */
        QUARANTINED,
        /** Held by a reservation of this pool. */
        RESERVED,
        /** In use outside this pool: foreign processes, or its lock held by another worker process. */
        FOREIGN_BUSY
    }
}
