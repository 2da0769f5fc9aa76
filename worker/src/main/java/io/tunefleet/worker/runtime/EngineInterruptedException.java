package io.tunefleet.worker.runtime;

import java.util.Set;

/**
 * A run interrupted after its engine had started (its timeout, a cancel, an abort, the worker's stop):
 * the engine has been stopped, and these were its pids. Those are the runs whose engine most likely
 * hung, so the GPUs' clean release must know its pids here too; as an {@link InterruptedException}, it
 * is handled as one by callers that need no pids.
 */
public final class EngineInterruptedException extends InterruptedException {

    private final Set<Integer> enginePids;

    public EngineInterruptedException(Set<Integer> enginePids, InterruptedException cause) {
        super(cause.getMessage() == null ? "interrupted; the engine was stopped" : cause.getMessage());
        initCause(cause);
        this.enginePids = Set.copyOf(enginePids);
    }

    /** The host pids the engine's processes had, as {@link RunResult#enginePids()}. */
    public Set<Integer> enginePids() {
        return enginePids;
    }
}
