package io.tunefleet.common.message;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunefleet.common.task.BenchmarkSpec;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** What a worker refuses to run, whatever a coordinator published. */
class JobValidationTest {

    @Test
    void aJobThatWouldOverrideAFlagTheWorkerSetsIsRefusedNamingIt() {
        TreeMap<String, Object> parameters = new TreeMap<>();
        parameters.put("tp-size", 1L);
        parameters.put("served_model_name", "other");

        assertThat(JobValidation.problems(job(parameters))).singleElement().asString()
                .contains("'served_model_name' is not the task's to set");
        parameters.remove("served_model_name");
        assertThat(JobValidation.problems(job(parameters))).isEmpty();
    }

    private static JobMessage job(TreeMap<String, Object> parameters) {
        return new JobMessage(Schema.VERSION, 1, 2, 1, 1, "vllm", "/models/m", "latest", parameters,
                new BenchmarkSpec(List.of("D(100,100)"), List.of(1), 30, 200), 60);
    }
}
