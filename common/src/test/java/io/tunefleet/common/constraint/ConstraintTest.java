package io.tunefleet.common.constraint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tunefleet.common.param.ChoiceParameter;
import io.tunefleet.common.param.ContinuousParameter;
import io.tunefleet.common.param.IntegerParameter;
import io.tunefleet.common.param.Parameter;
import io.tunefleet.common.param.ParameterSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConstraintTest {

    static final List<Parameter> PARAMS = List.of(
            new ChoiceParameter("tp-size", List.of(1L, 2L, 4L, 8L)),
            new ChoiceParameter("dp-size", List.of(1L, 2L, 4L)),
            new ContinuousParameter("mem-fraction-static", 0.5, 0.95, false, 5),
            new IntegerParameter("max-running-requests", 8, 256, true, 5),
            new ChoiceParameter("schedule-policy", List.of("fcfs", "lpm")),
            new ChoiceParameter("enable-torch-compile", List.of(true, false)));

    static ParameterSet config(long tp, long dp, double mem, String policy, boolean compile) {
        return ParameterSet.of(Map.of("tp-size", tp, "dp-size", dp, "mem-fraction-static", mem,
                "max-running-requests", 64L, "schedule-policy", policy, "enable-torch-compile", compile));
    }

    static boolean holds(String source, ParameterSet config) {
        return Constraint.parse(source, PARAMS).test(config);
    }

    @Test
    void aConstraintAsLongAsAllowedParsesAndEvaluatesAndALongerOneIsRefusedSayingSo() {
        // As deep as the length allows, nested and chained: no stack overflow in parsing or evaluating.
        int depth = (Constraint.MAX_LENGTH - "tp-size <= 8".length()) / 2;
        String nested = "(".repeat(depth) + "tp-size <= 8" + ")".repeat(depth);
        assertThat(holds(nested, config(4, 2, 0.8, "fcfs", true))).isTrue();
        String chained = "1" + "+1".repeat((Constraint.MAX_LENGTH - 6) / 2) + " >= 1";
        assertThat(chained.length()).isLessThanOrEqualTo(Constraint.MAX_LENGTH);
        assertThat(holds(chained, config(4, 2, 0.8, "fcfs", true))).isTrue();

        String tooLong = "(" + nested + ")";
        assertThatThrownBy(() -> Constraint.parse(tooLong, PARAMS)).isInstanceOf(ConstraintException.class)
                .hasMessageContaining("at most " + Constraint.MAX_LENGTH);
    }

    @Test
    void aConstraintNamesExactlyTheParametersItReads() {
        assertThat(Constraint.parse("tp-size * dp-size <= 8 and not (schedule-policy == 'lpm' or -tp-size > 0)",
                PARAMS).parameters()).containsExactlyInAnyOrder("tp-size", "dp-size", "schedule-policy");
        assertThat(Constraint.parse("1 < 2", PARAMS).parameters()).isEmpty();
    }

    @Test
    void productOfParallelSizesIsBounded() {
        assertThat(holds("tp-size * dp-size <= 8", config(4, 2, 0.8, "fcfs", true))).isTrue();
        assertThat(holds("tp-size * dp-size <= 8", config(4, 4, 0.8, "fcfs", true))).isFalse();
    }

    @Test
    void moduloAndEquality() {
        assertThat(holds("tp-size % dp-size == 0", config(4, 2, 0.8, "fcfs", true))).isTrue();
        assertThat(holds("tp-size % dp-size == 0", config(1, 2, 0.8, "fcfs", true))).isFalse();
        assertThat(holds("tp-size != dp-size", config(2, 2, 0.8, "fcfs", true))).isFalse();
    }

    @Test
    void precedenceParenthesesAndLogic() {
        ParameterSet c = config(2, 4, 0.9, "lpm", false);
        assertThat(holds("1 + tp-size * 3 == 7", c)).isTrue();
        assertThat(holds("(1 + tp-size) * 3 == 9", c)).isTrue();
        assertThat(holds("tp-size == 8 or dp-size == 4 and mem-fraction-static > 0.85", c)).isTrue();
        assertThat(holds("(tp-size == 8 or dp-size == 4) and mem-fraction-static < 0.85", c)).isFalse();
        assertThat(holds("not (tp-size > 1) || dp-size / 2 == 2", c)).isTrue();
        assertThat(holds("-tp-size + 3 == 1 && !enable-torch-compile", c)).isTrue();
        assertThat(holds("tp-size - 1 == 1", c)).isTrue();
        assertThat(holds("tp-size-1 == 1", c)).isTrue();
    }

    @Test
    void stringsAndBooleansCompareByEquality() {
        assertThat(holds("schedule-policy == 'lpm' or enable-torch-compile == true", config(1, 1, 0.8, "fcfs", false)))
                .isFalse();
        assertThat(holds("schedule-policy == \"lpm\"", config(1, 1, 0.8, "lpm", false))).isTrue();
    }

    @Test
    void divisionByZeroMakesTheConstraintFalse() {
        assertThat(holds("tp-size % (dp-size - 1) == 0", config(2, 1, 0.8, "fcfs", true))).isFalse();
        assertThat(holds("tp-size / (dp-size - 1) < 100", config(2, 1, 0.8, "fcfs", true))).isFalse();
    }

    @Test
    void unknownParameterIsNamed() {
        assertThatThrownBy(() -> Constraint.parse("tp-size * pp-size <= 8", PARAMS))
                .isInstanceOf(ConstraintException.class).hasMessageContaining("unknown parameter 'pp-size'")
                .hasMessageContaining("column 11");
    }

    @Test
    void syntaxErrorsSayWhere() {
        assertThatThrownBy(() -> Constraint.parse("tp-size * <= 8", PARAMS)).hasMessageContaining("column 11");
        assertThatThrownBy(() -> Constraint.parse("(tp-size <= 8", PARAMS)).hasMessageContaining("missing ')'");
        assertThatThrownBy(() -> Constraint.parse("tp-size = 8", PARAMS)).hasMessageContaining("unexpected '='");
        assertThatThrownBy(() -> Constraint.parse("tp-size <= 8 8", PARAMS)).hasMessageContaining("unexpected '8'");
    }

    @Test
    void typeMismatchesAreRejectedAtParseTime() {
        assertThatThrownBy(() -> Constraint.parse("tp-size * 2", PARAMS)).hasMessageContaining("comparison");
        assertThatThrownBy(() -> Constraint.parse("schedule-policy * 2 > 1", PARAMS))
                .hasMessageContaining("needs number operands");
        assertThatThrownBy(() -> Constraint.parse("schedule-policy == 2", PARAMS))
                .hasMessageContaining("compares a string with a number");
        assertThatThrownBy(() -> Constraint.parse("tp-size and dp-size == 1", PARAMS))
                .hasMessageContaining("needs true/false operands");
    }

    @Test
    void constraintsAllowOnlyWhatEveryOneAllows() {
        Constraints all = new Constraints(List.of(Constraint.parse("tp-size * dp-size <= 8", PARAMS),
                Constraint.parse("tp-size % dp-size == 0", PARAMS)));
        assertThat(all.allows(config(4, 2, 0.8, "fcfs", true))).isTrue();
        assertThat(all.violated(config(2, 4, 0.8, "fcfs", true)).map(Constraint::source))
                .contains("tp-size % dp-size == 0");
        assertThat(all.violated(config(8, 2, 0.8, "fcfs", true)).map(Constraint::source))
                .contains("tp-size * dp-size <= 8");
    }
}
