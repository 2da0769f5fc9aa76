package io.tunefleet.common.param;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineArgsTest {

    @Test
    void valuedFlagBecomesFlagThenValue() {
        assertThat(EngineArgs.of(ParameterSet.of(Map.of("tp-size", 2L)))).containsExactly("--tp-size", "2");
        assertThat(EngineArgs.of(ParameterSet.of(Map.of("mem-fraction-static", 0.85))))
                .containsExactly("--mem-fraction-static", "0.85");
        assertThat(EngineArgs.of(ParameterSet.of(Map.of("schedule-policy", "lpm"))))
                .containsExactly("--schedule-policy", "lpm");
    }

    @Test
    void trueIsABareFlagAndFalseIsLeftOut() {
        assertThat(EngineArgs.of(ParameterSet.of(Map.of("enable-torch-compile", true))))
                .containsExactly("--enable-torch-compile");
        assertThat(EngineArgs.of(ParameterSet.of(Map.of("enable-torch-compile", false)))).isEmpty();
    }

    @Test
    void valuesAreSingleArgvElementsNeverShellSplit() {
        assertThat(EngineArgs.of(ParameterSet.of(Map.of("served-model-name", "llama 3 \"chat\"", "x", "1; rm -rf /"))))
                .containsExactly("--served-model-name", "llama 3 \"chat\"", "--x", "1; rm -rf /");
    }

    @Test
    void flagsAreOrderedByNameWhateverTheInsertionOrder() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("tp-size", 2L);
        values.put("enable-torch-compile", true);
        values.put("schedule-policy", "lpm");
        values.put("disable-radix-cache", false);
        values.put("mem-fraction-static", 0.85);

        assertThat(EngineArgs.of(ParameterSet.of(values))).containsExactly(
                "--enable-torch-compile",
                "--mem-fraction-static", "0.85",
                "--schedule-policy", "lpm",
                "--tp-size", "2");
    }

    @Test
    void integralNumbersPrintWithoutADecimalPointUnlessTheyAreDoubles() {
        assertThat(EngineArgs.of(ParameterSet.of(Map.of("max-running-requests", 128)))).containsExactly(
                "--max-running-requests", "128");
        assertThat(EngineArgs.of(ParameterSet.of(Map.of("schedule-conservativeness", 1.0)))).containsExactly(
                "--schedule-conservativeness", "1.0");
    }
}
