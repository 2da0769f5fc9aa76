package io.tunefleet.common.message;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks a decoded claim, result, heartbeat or batch of them for the fields the coordinator cannot do without, so
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
        } else if (message instanceof BatchMessage batch) {
            batchProblems(batch, problems);
        }
        return problems;
    }

    /** A batch holds 1 to {@link BatchMessage#MAX_MESSAGES} claims and results of its own worker, each complete. */
    private static void batchProblems(BatchMessage batch, List<String> problems) {
        requireWorker(batch.workerId(), problems);
        if (batch.messages() == null || batch.messages().isEmpty() || batch.messages().size() > BatchMessage.MAX_MESSAGES) {
            problems.add("a batch holds 1 to " + BatchMessage.MAX_MESSAGES + " messages, got "
                    + (batch.messages() == null ? 0 : batch.messages().size()));
            return;
        }
        for (int i = 0; i < batch.messages().size(); i++) {
            WorkerMessage m = batch.messages().get(i);
            if (!(m instanceof ClaimMessage) && !(m instanceof ResultMessage)) {
                problems.add("messages[" + i + "]: a batch holds only claims and results, got "
                        + (m == null ? "null" : m.getClass().getSimpleName()));
                continue;
            }
            String at = "messages[" + i + "]: ";
            if (!java.util.Objects.equals(m.workerId(), batch.workerId())) {
                problems.add(at + "sent by " + m.workerId() + " in a batch of " + batch.workerId());
            }
            problems(m).forEach(p -> problems.add(at + p));
        }
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
