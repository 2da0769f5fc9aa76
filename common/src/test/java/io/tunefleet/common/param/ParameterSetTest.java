package io.tunefleet.common.param;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParameterSetTest {

    @Test
    void keyIsSortedByNameInACanonicalTextForm() {
        ParameterSet set = ParameterSet.of(Map.of("tp-size", 2L, "mem-fraction-static", 0.8, "schedule-policy", "lpm",
                "enable-torch-compile", true));
        assertThat(set.key()).isEqualTo("enable-torch-compile=true,mem-fraction-static=0.8,schedule-policy=lpm,tp-size=2");
        assertThat(set.toString()).isEqualTo(set.key());
    }

    @Test
    void keyIgnoresInsertionOrder() {
        Map<String, Object> forward = new LinkedHashMap<>();
        forward.put("tp-size", 2L);
        forward.put("mem-fraction-static", 0.85);
        forward.put("schedule-policy", "fcfs");
        Map<String, Object> backward = new LinkedHashMap<>();
        backward.put("schedule-policy", "fcfs");
        backward.put("mem-fraction-static", 0.85);
        backward.put("tp-size", 2L);

        assertThat(ParameterSet.of(forward).key()).isEqualTo(ParameterSet.of(backward).key());
        assertThat(ParameterSet.of(forward)).isEqualTo(ParameterSet.of(backward));
    }

    @Test
    void keyTreatsIntegralNumbersAlikeWhateverTheirJavaType() {
        String fromInt = ParameterSet.of(Map.of("tp-size", 2)).key();
        String fromLong = ParameterSet.of(Map.of("tp-size", 2L)).key();
        String fromDouble = ParameterSet.of(Map.of("tp-size", 2.0)).key();

        assertThat(fromInt).isEqualTo("tp-size=2").isEqualTo(fromLong).isEqualTo(fromDouble);
    }

    @Test
    void keyDistinguishesDifferentConfigs() {
        assertThat(ParameterSet.of(Map.of("tp-size", 2L)).key()).isNotEqualTo(ParameterSet.of(Map.of("tp-size", 4L)).key());
        assertThat(ParameterSet.of(Map.of("x", 2.0)).key()).isNotEqualTo(ParameterSet.of(Map.of("x", 2.5)).key());
        assertThat(ParameterSet.of(Map.of("x", 0.85)).key()).isEqualTo("x=0.85");
        assertThat(ParameterSet.of(Map.of("x", 9_007_199_254_740_993L)).key())
                .isNotEqualTo(ParameterSet.of(Map.of("x", 9_007_199_254_740_992L)).key());
        assertThat(ParameterSet.of(Map.of("a", 1L, "b", 2L)).key())
                .isNotEqualTo(ParameterSet.of(Map.of("a", 2L, "b", 1L)).key());
    }

    @Test
    void valuesAreAnImmutableCopy() {
        Map<String, Object> source = new HashMap<>(Map.of("tp-size", 2L));
        ParameterSet set = ParameterSet.of(source);
        source.put("tp-size", 8L);

        assertThat(set.get("tp-size")).isEqualTo(2L);
        assertThatThrownBy(() -> set.values().put("pp-size", 2L)).isInstanceOf(UnsupportedOperationException.class);
    }
}
