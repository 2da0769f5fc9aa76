package io.tunefleet.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunefleet.common.message.JobMessage;
import io.tunefleet.common.message.Schema;
import io.tunefleet.common.task.BenchmarkSpec;
import io.tunefleet.common.task.Objective;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ScoringSpecTest {

    static JobMessage job(String objective, Map<String, Object> slo) {
        return new JobMessage(Schema.VERSION, 1, 2, 1, 1, "sim", "m", "latest", new TreeMap<>(Map.of("tp-size", 1L)),
                BenchmarkSpec.defaults(), 60, objective, slo);
    }

    @Test
    void workersScoreTowardTheTasksObjectiveAndSlo() {
        ScoringSpec spec = ScoringSpec.DEFAULT.apply(job("maximize_throughput",
                Map.of("ttft", Map.of("threshold", 0.5, "hard_fail", true))));

        assertThat(spec.objective()).isEqualTo(Objective.MAXIMIZE_THROUGHPUT);
        assertThat(spec.slo().bounds()).hasSize(1);
    }

    @Test
    void aJobWithoutScoringInformationIsScoredForLatencyWithoutSlo() {
        ScoringSpec spec = ScoringSpec.DEFAULT.apply(job(null, null));

        assertThat(spec.objective()).isEqualTo(Objective.MINIMIZE_LATENCY);
        assertThat(spec.slo().bounds()).isEmpty();
    }
}
