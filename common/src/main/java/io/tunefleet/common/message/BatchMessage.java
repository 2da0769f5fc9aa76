package io.tunefleet.common.message;

import java.util.List;

/**
 * Several claims or results of one worker in one broker message, in the order they happened: the
 * broker stores, confirms and delivers one persistent message instead of one each, which is most of
 * what an experiment costs it. The coordinator reads it as its messages one after the other.
 */
public record BatchMessage(int schema, String workerId, List<WorkerMessage> messages) implements WorkerMessage {

    /** The most messages one batch carries, so that a broker message stays small. */
    public static final int MAX_MESSAGES = 64;

    public BatchMessage {
        messages = messages == null ? null : List.copyOf(messages);
    }
}
