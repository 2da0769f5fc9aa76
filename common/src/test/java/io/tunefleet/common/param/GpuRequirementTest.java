package io.tunefleet.common.param;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GpuRequirementTest {

    @Test
    void noParallelismFlagsNeedsOneGpu() {
        assertThat(GpuRequirement.of(ParameterSet.of(Map.of("mem-fraction-static", 0.85, "schedule-policy", "lpm"))))
                .isEqualTo(1);
        assertThat(GpuRequirement.of(ParameterSet.of(Map.of()))).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}={1} needs {1} GPUs")
    @CsvSource({
        "tp-size, 2",
        "tp, 4",
        "tensor-parallel-size, 4",
        "tensor_parallel_size, 8",
        "pp-size, 2",
        "pipeline-parallel-size, 4",
        "pipeline_parallel_size, 2",
        "dp-size, 2",
        "data-parallel-size, 4",
        "data_parallel_size, 8",
        "cp-size, 2",
        "context-parallel-size, 4",
    })
    void eachEngineSpellingOfEachParallelismCounts(String flag, long size) {
        assertThat(GpuRequirement.of(ParameterSet.of(Map.of(flag, size, "mem-fraction-static", 0.9))))
                .isEqualTo((int) size);
        assertThat(GpuRequirement.isParallelismFlag(flag)).isTrue();
    }

    @Test
    void tensorTimesPipelineTimesTheLargerOfDataAndContext() {
        assertThat(need(Map.of("tp-size", 2L, "pp-size", 2L))).isEqualTo(4);
        assertThat(need(Map.of("tensor-parallel-size", 2L, "pipeline-parallel-size", 2L, "data-parallel-size", 2L)))
                .isEqualTo(8);
        assertThat(need(Map.of("tp-size", 2L, "dp-size", 4L, "cp-size", 2L))).isEqualTo(8);
        assertThat(need(Map.of("tp-size", 2L, "dp-size", 2L, "cp-size", 4L))).isEqualTo(8);
        assertThat(need(Map.of("tp-size", 1L, "pp-size", 1L, "dp-size", 3L, "cp-size", 1L))).isEqualTo(3);
        assertThat(need(Map.of("tensor_parallel_size", 4L, "pipeline_parallel_size", 2L))).isEqualTo(8);
    }

    @Test
    void integralValuesOfAnyNumericTypeAreAccepted() {
        assertThat(need(Map.of("tp-size", 2))).isEqualTo(2);
        assertThat(need(Map.of("tp-size", 2L))).isEqualTo(2);
        assertThat(need(Map.of("tp-size", 2.0))).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tp-size", "tensor-parallel-size", "pp-size", "dp-size", "data-parallel-size", "cp-size"})
    void zeroIsRejectedNamingTheParameter(String flag) {
        assertThatThrownBy(() -> need(Map.of(flag, 0L)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(flag);
    }

    @Test
    void negativeFractionalAndNonNumericSizesAreRejected() {
        assertThatThrownBy(() -> need(Map.of("tp-size", -2L))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> need(Map.of("tp-size", 1.5))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> need(Map.of("tp-size", "2"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> need(Map.of("tp-size", true))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void otherFlagsAreNotParallelismFlags() {
        assertThat(GpuRequirement.isParallelismFlag("mem-fraction-static")).isFalse();
        assertThat(GpuRequirement.isParallelismFlag("max-running-requests")).isFalse();
        assertThat(GpuRequirement.isParallelismFlag("tp-size-extra")).isFalse();
    }

    private static int need(Map<String, ?> values) {
        return GpuRequirement.of(ParameterSet.of(values));
    }

    @Test
    void sameFactorMatchesEverySpellingOfOneParallelismFactorAndNothingElse() {
        assertThat(GpuRequirement.sameFactor("tp", "tensor_parallel_size")).isTrue();
        assertThat(GpuRequirement.sameFactor("pipeline-parallel-size", "pp-size")).isTrue();
        assertThat(GpuRequirement.sameFactor("tp-size", "dp-size")).isFalse();
        assertThat(GpuRequirement.sameFactor("mem-fraction-static", "mem-fraction-static")).isFalse();
    }
}
