package io.tunefleet.coordinator.dispatch;

import io.tunefleet.common.message.ClaimMessage;
import io.tunefleet.common.message.JobMessage;
import io.tunefleet.common.message.MessageCodec;
import io.tunefleet.common.message.ResultMessage;
import io.tunefleet.common.message.Schema;
import java.util.List;
import java.util.Map;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;

/** Worker messages as the coordinator's listeners receive them from the broker. */
final class AmqpMessages {

    private AmqpMessages() {
    }

    static Message message(Object body) {
        return new Message(MessageCodec.encode(body), new MessageProperties());
    }

    /** {@code worker}'s claim of the job's attempt on GPU 0, now. */
    static ClaimMessage claim(JobMessage job, String worker) {
        return new ClaimMessage(Schema.VERSION, worker, "host-" + worker, job.taskId(), job.experimentId(),
                job.attempt(), List.of(0), System.currentTimeMillis());
    }

    /** {@code worker}'s result of the job's attempt: succeeded with this mean end-to-end latency. */
    static ResultMessage succeeded(JobMessage job, String worker, double latencyS) {
        long now = System.currentTimeMillis();
        return new ResultMessage(Schema.VERSION, worker, job.taskId(), job.experimentId(), job.attempt(),
                ResultMessage.Outcome.SUCCEEDED, null, null, Map.of("e2e_latency_mean_s", latencyS), List.of(0),
                now, now);
    }
}
