package io.tunefleet.common.param;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One configuration: a value for every parameter, ordered by name so that two equal configurations
 * have the same {@link #key()}.
 */
public record ParameterSet(SortedMap<String, Object> values) {

    public ParameterSet {
        values = Collections.unmodifiableSortedMap(new TreeMap<>(values));
    }

    public static ParameterSet of(Map<String, ?> values) {
        return new ParameterSet(new TreeMap<>(values));
    }

    /** A canonical text form, e.g. {@code mem-fraction-static=0.8,tp-size=2}; equal configs, equal keys. */
    public String key() {
        return values.entrySet().stream()
                .map(e -> e.getKey() + "=" + canonical(e.getValue()))
                .collect(Collectors.joining(","));
    }

    public Object get(String name) {
        return values.get(name);
    }

    private static String canonical(Object value) {
        if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && !Double.isInfinite(n.doubleValue())) {
            return Long.toString(n.longValue());
        }
        return String.valueOf(value);
    }

    @Override
    public String toString() {
        return key();
    }
}
