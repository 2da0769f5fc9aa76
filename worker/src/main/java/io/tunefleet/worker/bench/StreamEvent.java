package io.tunefleet.worker.bench;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.core.json.JsonFactory;

/**
 * What the client needs from one streamed completion event: whether it is an error, whether it
 * carries text (a completion's {@code choices[].text} or a chat delta's {@code choices[].delta.content}),
 * and the token counts of a final {@code usage}. Read with Jackson's streaming parser, skipping
 * everything else, rather than building a tree per event.
 *
 * @param promptTokens     -1 when the event has no usage
 * @param completionTokens -1 when the event has no usage
 */
record StreamEvent(boolean error, boolean hasText, int promptTokens, int completionTokens) {

    /** Without a shared table of property names: each event's parser would otherwise copy it. */
    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(TokenStreamFactory.Feature.CANONICALIZE_PROPERTY_NAMES).build();

    static StreamEvent parse(byte[] buf, int offset, int length) {
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), buf, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new StreamReadException(p, "a stream event is not a JSON object");
            }
            boolean error = false;
            boolean text = false;
            int prompt = -1;
            int completion = -1;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("error") && value != JsonToken.VALUE_NULL) {
                    error = true;
                    p.skipChildren();
                } else if (name.equals("choices") && value == JsonToken.START_ARRAY) {
                    text = choicesHaveText(p);
                } else if (name.equals("usage") && value == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                        String field = p.currentName();
                        JsonToken v = p.nextToken();
                        if (v == JsonToken.VALUE_NUMBER_INT && field.equals("prompt_tokens")) {
                            prompt = p.getIntValue();
                        } else if (v == JsonToken.VALUE_NUMBER_INT && field.equals("completion_tokens")) {
                            completion = p.getIntValue();
                        } else {
                            p.skipChildren();
                        }
                    }
                    prompt = Math.max(prompt, 0);
                    completion = Math.max(completion, 0);
                } else {
                    p.skipChildren();
                }
            }
            return new StreamEvent(error, text, prompt, completion);
        }
    }

    /** Reads a {@code choices} array to its end; true when any choice carries non-empty text. */
    private static boolean choicesHaveText(JsonParser p) throws JacksonException {
        boolean text = false;
        int depth = 1;
        String field = null;
        while (depth > 0) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new StreamReadException(p, "a stream event ends inside its choices");
            }
            switch (t) {
                case START_OBJECT, START_ARRAY -> depth++;
                case END_OBJECT, END_ARRAY -> depth--;
                case PROPERTY_NAME -> field = p.currentName();
                case VALUE_STRING -> {
                    // choices[i].text at depth 2, choices[i].delta.content at depth 3
                    if ((depth == 2 && "text".equals(field)) || (depth == 3 && "content".equals(field))) {
                        text |= p.getStringLength() > 0;
                    }
                }
                default -> { }
            }
        }
        return text;
    }
}
