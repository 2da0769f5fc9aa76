package io.tunefleet.coordinator.store;

import java.util.List;
import java.util.Map;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** JSON columns of the store. */
final class Json {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private Json() {
    }

    static String write(Object value) {
        return value == null ? null : MAPPER.writeValueAsString(value);
    }

    static Map<String, Object> readObject(String json) {
        return json == null ? null : MAPPER.readValue(json, new TypeReference<Map<String, Object>>() { });
    }

    static Map<String, Double> readMetrics(String json) {
        return json == null ? null : MAPPER.readValue(json, new TypeReference<Map<String, Double>>() { });
    }

    static List<Integer> readInts(String json) {
        return json == null ? null : MAPPER.readValue(json, new TypeReference<List<Integer>>() { });
    }
}
