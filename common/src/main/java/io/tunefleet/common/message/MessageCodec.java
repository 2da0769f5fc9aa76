package io.tunefleet.common.message;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** JSON encoding of the message records; decoding rejects unknown schema versions. */
public final class MessageCodec {

    // USE_LONG_FOR_INTS: untyped integers (job parameters) decode as Long, the type TaskSpecParser
    // gives them, so a decoded job equals the one sent.
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.USE_LONG_FOR_INTS)
            .addModule(new SpreadCreators())
            .build();

    private MessageCodec() {
    }

    public static byte[] encode(Object message) {
        return MAPPER.writeValueAsBytes(message);
    }

    public static JobMessage decodeJob(byte[] body) {
        JobMessage job = decode(body, JobMessage.class);
        return checked(job.schema(), job);
    }

    /**
     * Which attempt a job is of, read from its fields alone: for a job that cannot be run (unreadable
     * to this build, of another schema version, invalid), so that the worker refusing it can say so.
     * Empty when the body is not a JSON object with a positive {@code taskId}, {@code experimentId}
     * and {@code attempt}.
     */
    public static Optional<JobMessage.Attempt> jobAttempt(byte[] body) {
        try {
            JsonNode tree = MAPPER.readTree(body);
            long taskId = tree.path("taskId").asLong(0);
            long experimentId = tree.path("experimentId").asLong(0);
            int attempt = tree.path("attempt").asInt(0);
            return taskId > 0 && experimentId > 0 && attempt > 0
                    ? Optional.of(new JobMessage.Attempt(taskId, experimentId, attempt)) : Optional.empty();
        } catch (JacksonException e) {
            return Optional.empty();
        }
    }

    public static ControlMessage decodeControl(byte[] body) {
        ControlMessage control = decode(body, ControlMessage.class);
        if (control.kind() == null) {
            throw new UndecodableMessageException("control message without a kind");
        }
        return checked(control.schema(), control);
    }

    /** A claim, result or heartbeat; refused when it lacks what the coordinator needs to act on it. */
    public static WorkerMessage decodeWorkerMessage(byte[] body) {
        WorkerMessage m = decode(body, WorkerMessage.class);
        checked(m.schema(), m);
        List<String> problems = WorkerMessageValidation.problems(m);
        if (!problems.isEmpty()) {
            throw new UndecodableMessageException("incomplete " + m.getClass().getSimpleName() + ": "
                    + String.join("; ", problems) + " in " + preview(body));
        }
        return m;
    }

    private static <T> T decode(byte[] body, Class<T> type) {
        try {
            T value = MAPPER.readValue(body, type);
            if (value == null) {
                throw new UndecodableMessageException("empty message");
            }
            return value;
        } catch (JacksonException e) {
            throw new UndecodableMessageException("cannot decode " + type.getSimpleName() + ": "
                    + e.getOriginalMessage() + " in " + preview(body));
        }
    }

    private static <T> T checked(int schema, T message) {
        if (schema != Schema.VERSION) {
            throw new UndecodableMessageException("unknown schema version " + schema + " (this build reads "
                    + Schema.VERSION + ")");
        }
        return message;
    }

    private static String preview(byte[] body) {
        String s = new String(body, StandardCharsets.UTF_8);
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
