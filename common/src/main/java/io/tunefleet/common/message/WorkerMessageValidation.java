package io.tunefleet.common.message;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks a decoded claim, result or heartbeat for the fields the coordinator cannot do without, so
 * that an incomplete message is refused where it is read (and parked once) instead of failing the
 * transaction it would have joined, again on every delivery.
 */
public final class WorkerMessageValidation {

    private WorkerMessageValidation() {
    }

    /** Every problem of the message; empty when the coordinator can act on it. */
    public static List<String> problems(WorkerMessage message) {
        List<String> problems = new ArrayList<>();
        if (message instanceof ClaimMessage claim) {
            requireWorker(claim.workerId(), problems);
            requireAttempt(claim.attempt(), problems);
            if (claim.gpuIndices() == null || claim.gpuIndices().isEmpty()) {
                problems.add("a claim names the GPUs it reserved");
            }
        } else if (message instanceof ResultMessage result) {
            requireWorker(result.workerId(), problems);
            requireAttempt(result.attempt(), problems);
            if (result.outcome() == null) {
                problems.add("a result has an outcome (" + List.of(ResultMessage.Outcome.values()) + ")");
            }
        } else if (message instanceof HeartbeatMessage heartbeat) {
            requireWorker(heartbeat.workerId(), problems);
        }
        return problems;
    }

    private static void requireWorker(String workerId, List<String> problems) {
        if (workerId == null || workerId.isBlank()) {
            problems.add("workerId is required");
        }
    }

    private static void requireAttempt(int attempt, List<String> problems) {
        if (attempt < 1) {
            problems.add("attempt must be 1 or more, got " + attempt);
        }
    }
}
