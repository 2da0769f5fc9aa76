package io.tunefleet.worker.bench;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * The lines of a server-sent event stream as bytes, split in one buffer that is reused from line to
 * line and from request to request. The client reads thousands of events a second at high
 * concurrency; a {@code BufferedReader} and a {@code String} per line made it the benchmark's
 * largest allocator, and the garbage collector's pauses then landed inside measured first tokens.
 */
final class SseLines {

    private static final byte[] DATA = {'d', 'a', 't', 'a', ':'};

    private byte[] buf = new byte[8 * 1024];
    private InputStream in;
    /** Unread bytes are buf[start, end); the line last returned is buf[lineStart, lineEnd). */
    private int start;
    private int end;
    private int lineStart;
    private int lineEnd;

    /** Starts reading a new body; what was left unread of the previous one is dropped. */
    SseLines reset(InputStream body) {
        in = body;
        start = end = lineStart = lineEnd = 0;
        return this;
    }

    /** Reads the next line, without its line ending; false at the end of the stream. */
    boolean next() throws IOException {
        int scanned = start;
        while (true) {
            for (int i = scanned; i < end; i++) {
                if (buf[i] == '\n') {
                    lineStart = start;
                    lineEnd = i > start && buf[i - 1] == '\r' ? i - 1 : i;
                    start = i + 1;
                    return true;
                }
            }
            if (start > 0) {
                System.arraycopy(buf, start, buf, 0, end - start);
                end -= start;
                start = 0;
            }
            scanned = end;
            if (end == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            int n = in.read(buf, end, buf.length - end);
            if (n < 0) {
                if (end > start) { // a last line without a line ending
                    lineStart = start;
                    lineEnd = end;
                    start = end;
                    return true;
                }
                return false;
            }
            end += n;
        }
    }

    /** Whether the current line is a {@code data:} field. */
    boolean isData() {
        return startsWith(lineStart, DATA);
    }

    /** Where the current data line's value starts in {@link #buffer()}, after {@code data:} and spaces. */
    int dataOffset() {
        int i = lineStart + DATA.length;
        while (i < lineEnd && buf[i] == ' ') {
            i++;
        }
        return i;
    }

    int lineEnd() {
        return lineEnd;
    }

    /** Valid until the next call to {@link #next()}. */
    byte[] buffer() {
        return buf;
    }

    /** Whether the current data line's value is exactly {@code value} (ASCII), trailing spaces ignored. */
    boolean dataEquals(String value) {
        int from = dataOffset();
        int to = lineEnd;
        while (to > from && buf[to - 1] == ' ') {
            to--;
        }
        if (to - from != value.length()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            if (buf[from + i] != value.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private boolean startsWith(int at, byte[] prefix) {
        if (lineEnd - at < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (buf[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
