package io.tunefleet.common.message;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** What a worker sends to the coordinator on {@link Topology#RESULTS_QUEUE}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ClaimMessage.class, name = "claim"),
    @JsonSubTypes.Type(value = ResultMessage.class, name = "result"),
    @JsonSubTypes.Type(value = HeartbeatMessage.class, name = "heartbeat"),
    @JsonSubTypes.Type(value = BatchMessage.class, name = "batch")
})
public sealed interface WorkerMessage permits ClaimMessage, ResultMessage, HeartbeatMessage, BatchMessage {

    int schema();

    String workerId();
}
