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
    void everyBadSloFieldIsReportedTogetherByItsPath() {
        String slo = "{\"ttft\": {\"threshold\": -1}, \"tpot\": {\"threshold\": 0.05, \"hard_fail\": \"yes\"},"
                + " \"latency\": {\"p95\": {\"threshold\": 2}, \"p90\": {\"weight\": 2}, \"p99\": 0.5},"
                + " \"itl\": {\"threshold\": 1}, \"steepness\": 0}";

        assertThatThrownBy(() -> TaskSpecParser.parse(task(slo)))
                .isInstanceOfSatisfying(InvalidTaskException.class, e -> assertThat(e.problems())
                        .extracting(Problem::path).containsExactlyInAnyOrder("$.slo.ttft.threshold",
                                "$.slo.tpot.hard_fail", "$.slo.latency.p95", "$.slo.latency.p90.threshold",
                                "$.slo.latency.p99", "$.slo.itl", "$.slo.steepness"))
                .hasMessageContaining("must be true or false, got yes")
                .hasMessageContaining("is not a latency bound; there are [p50, p90, p99]");
    }

    @Test
    void aNullReadsAsAbsentAtEveryLevelAsTheWorkerReadsIt() {
        TaskSpec spec = TaskSpecParser.parse(task("{\"ttft\": null, \"latency\": {\"p99\": null}, \"steepness\": null,"
                + " \"tpot\": {\"threshold\": 0.05, \"weight\": null, \"hard_fail\": null}}"));

        assertThat(io.tunefleet.common.scoring.Slo.parse(spec.slo()).bounds()).extracting(b -> b.name())
                .containsExactly("tpot");
    }

    @Test
    void aStoredTaskIsReadAsItWasAcceptedBeforeTheStricterChecks() {
        String stored = """
                {"task_name": "t", "model": {"id_or_path": "m"}, "base_runtime": "sim",
                 "parameters": {"tp-size": [1], "port": [31000]},
                 "slo": {"latency": {"p95": {"threshold": 2}}, "tpot": {"threshold": 0.05, "hard_fail": "yes"}}}""";

        assertThatThrownBy(() -> TaskSpecParser.parse(stored)).isInstanceOf(InvalidTaskException.class);
        TaskSpec spec = TaskSpecParser.parseStored(stored);
        assertThat(spec.parameters().parameters()).extracting(p -> p.name()).contains("port");
    }

    @Test
    void aValidSloIsKeptWithTheTask() {
        TaskSpec spec = TaskSpecParser.parse(task("{\"ttft\": {\"threshold\": 0.5, \"hard_fail\": true}}"));

        assertThat(spec.slo()).containsKey("ttft");
    }
}
