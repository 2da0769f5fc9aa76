package io.tunefleet.common.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SloValidationTest {

    static String task(String slo) {
        return """
                {"task_name": "t", "model": {"id_or_path": "m"}, "base_runtime": "sim",
                 "parameters": {"tp-size": [1]}, "slo": %s}""".formatted(slo);
    }

    @Test
    void aBadSloValueIsReportedByItsPathWhenTheTaskIsSubmitted() {
        assertThatThrownBy(() -> TaskSpecParser.parse(task("{\"ttft\": {\"threshold\": -1}}")))
                .isInstanceOfSatisfying(InvalidTaskException.class, e -> assertThat(e.problems())
                        .extracting(Problem::path).containsExactly("$.slo.ttft.threshold"));
        assertThatThrownBy(() -> TaskSpecParser.parse(task("{\"steepness\": \"steep\"}")))
                .isInstanceOfSatisfying(InvalidTaskException.class, e -> assertThat(e.problems())
                        .extracting(Problem::path).containsExactly("$.slo.steepness"));
    }

    @Test
    void aValidSloIsKeptWithTheTask() {
        TaskSpec spec = TaskSpecParser.parse(task("{\"ttft\": {\"threshold\": 0.5, \"hard_fail\": true}}"));

        assertThat(spec.slo()).containsKey("ttft");
    }
}
