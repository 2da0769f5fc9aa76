package io.tunefleet.common.message;

import static java.util.stream.Collectors.joining;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.json.JsonMapper;

/** Records built through a handle spread once per type, with Jackson's own error reports. */
class SpreadCreatorsTest {

    private static final JsonMapper PLAIN = JsonMapper.builder().build();
    private static final JsonMapper SPREAD = JsonMapper.builder().addModule(new SpreadCreators()).build();

    /** Notes where each call of its constructor came from; refuses an empty {@code b}. */
    record Probe(int a, String b) {
        static final List<StackTraceElement[]> CALLS = new CopyOnWriteArrayList<>();

        Probe {
            CALLS.add(new Throwable().getStackTrace());
            if (b.isEmpty()) {
                throw new IllegalArgumentException("b must not be empty");
            }
        }
    }

    @Test
    void aRecordIsBuiltWithoutSpreadingItsArgumentsAnewOnEveryCall() {
        assertThat(calledThrough(PLAIN)).as("Jackson's own way, the reason for the module")
                .contains("invokeWithArguments");
        assertThat(calledThrough(SPREAD)).doesNotContain("invokeWithArguments");
    }

    @Test
    void aConstructorsRefusalIsReportedAsJacksonReportsIt() {
        for (JsonMapper mapper : List.of(PLAIN, SPREAD)) {
            assertThatThrownBy(() -> mapper.readValue("{\"a\":1,\"b\":\"\"}", Probe.class))
                    .isInstanceOf(DatabindException.class)
                    .hasMessageContaining("b must not be empty");
        }
    }

    @Test
    void aMessageStillReadsBackAsWritten() {
        ClaimMessage claim = new ClaimMessage(Schema.VERSION, "w1", "host-1", 3, 41, 2, List.of(0, 1), 1_000);

        assertThat(MessageCodec.decodeWorkerMessage(MessageCodec.encode(claim))).isEqualTo(claim);
    }

    /** The methods the constructor was called through, for one read of a Probe. */
    private static String calledThrough(JsonMapper mapper) {
        Probe.CALLS.clear();
        assertThat(mapper.readValue("{\"a\":1,\"b\":\"x\"}", Probe.class)).isEqualTo(new Probe(1, "x"));
        return Arrays.stream(Probe.CALLS.get(0)).map(StackTraceElement::getMethodName).collect(joining(","));
    }
}
