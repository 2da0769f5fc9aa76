package io.tunefleet.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;

/** The byte-level SSE line splitter and the streaming event parser the benchmark client reads with. */
class StreamReadingTest {

    @Test
    void completionTextChatDeltaAndUsageAreRead() {
        assertThat(parse("{\"choices\":[{\"index\":0,\"text\":\"hi\",\"logprobs\":null}]}"))
                .isEqualTo(new StreamEvent(false, true, -1, -1));
        assertThat(parse("{\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"x\"}}]}"))
                .isEqualTo(new StreamEvent(false, true, -1, -1));
        assertThat(parse("{\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}").hasText()).isFalse();
        assertThat(parse("{\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"total_tokens\":44,"
                + "\"completion_tokens\":32,\"details\":{\"cached\":0}}}"))
                .isEqualTo(new StreamEvent(false, false, 12, 32));
        assertThat(parse("{\"choices\":[{\"text\":\"\"}],\"usage\":null}")).isEqualTo(new StreamEvent(false, false, -1, -1));
    }

    @Test
    void anErrorObjectIsAnErrorAndNonObjectsAreRefused() {
        assertThat(parse("{\"error\":{\"message\":\"oom\",\"code\":500}}").error()).isTrue();
        assertThatThrownBy(() -> parse("[1,2]")).isInstanceOf(JacksonException.class);
        assertThatThrownBy(() -> parse("{\"choices\":[{\"text\":\"a\"")).isInstanceOf(JacksonException.class);
    }

    @Test
    void linesAreSplitAcrossReadsWithEitherLineEnding() throws IOException {
        String body = "data: {\"a\":1}\r\n\r\n: comment\ndata:[DONE]  \n" + "x".repeat(20_000) + "\nlast";
        // One byte per read: every line boundary falls between reads, and the long line grows the buffer.
        SseLines lines = new SseLines().reset(new OneByteAtATime(body.getBytes(StandardCharsets.US_ASCII)));
        List<String> seen = new ArrayList<>();
        List<Boolean> data = new ArrayList<>();
        while (lines.next()) {
            int from = lines.isData() ? lines.dataOffset() : 0;
            seen.add(new String(lines.buffer(), from, lines.lineEnd() - from, StandardCharsets.US_ASCII)
                    .replaceAll("x{20000}", "x*20000"));
            data.add(lines.isData() && !lines.dataEquals("[DONE]"));
        }

        assertThat(seen).containsExactly("{\"a\":1}", "", ": comment", "[DONE]  ", "x*20000", "last");
        assertThat(data).containsExactly(true, false, false, false, false, false);
    }

    @Test
    void resetStartsAFreshBody() throws IOException {
        SseLines lines = new SseLines().reset(new ByteArrayInputStream("data: one\npartial".getBytes()));
        assertThat(lines.next()).isTrue();

        lines.reset(new ByteArrayInputStream("data: [DONE]\n".getBytes()));
        assertThat(lines.next()).isTrue();
        assertThat(lines.dataEquals("[DONE]")).isTrue();
        assertThat(lines.next()).isFalse();
    }

    private static StreamEvent parse(String json) {
        byte[] framed = ("data: " + json + "\n").getBytes(StandardCharsets.UTF_8);
        return StreamEvent.parse(framed, 6, framed.length - 7);
    }

    private static final class OneByteAtATime extends InputStream {
        private final ByteArrayInputStream in;

        OneByteAtATime(byte[] bytes) {
            in = new ByteArrayInputStream(bytes);
        }

        @Override
        public int read() {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return in.read(b, off, Math.min(len, 1));
        }
    }
}
