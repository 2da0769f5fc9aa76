package io.tunefleet.worker.sim;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the sim engine actually delivered, measured on the server side of the socket: time to first
 * token from the moment the handler got the request to the moment the first token was flushed, and
 * time per output token from the first flushed token to the last. A benchmark client's figures minus
 * these are what the client added itself (its own send, wake-ups and parsing), independent of how
 * late a loaded host woke the engine's threads.
 */
public final class ServedTimings {

    private final LongAdder streams = new LongAdder();
    private final LongAdder ttftNanos = new LongAdder();
    private final LongAdder tpotStreams = new LongAdder();
    private final LongAdder tpotNanos = new LongAdder();

    void record(long arrived, long firstFlushed, long lastFlushed, int tokens) {
        streams.increment();
        ttftNanos.add(firstFlushed - arrived);
        if (tokens > 1) {
            tpotStreams.increment();
            tpotNanos.add((lastFlushed - firstFlushed) / (tokens - 1));
        }
    }

    /** Totals over the streams completed so far. */
    public Snapshot snapshot() {
        return new Snapshot(streams.sum(), ttftNanos.sum(), tpotStreams.sum(), tpotNanos.sum());
    }

    /** Totals at one moment; {@link #since} gives what happened between two of them. */
    public record Snapshot(long streams, long ttftNanos, long tpotStreams, long tpotNanos) {

        public Snapshot since(Snapshot earlier) {
            return new Snapshot(streams - earlier.streams, ttftNanos - earlier.ttftNanos,
                    tpotStreams - earlier.tpotStreams, tpotNanos - earlier.tpotNanos);
        }

        /** Mean time to first token, ms; NaN before any stream completed. */
        public double ttftMs() {
            return streams == 0 ? Double.NaN : ttftNanos / 1e6 / streams;
        }

        /** Mean time per output token, ms; NaN before any stream of two tokens or more completed. */
        public double tpotMs() {
            return tpotStreams == 0 ? Double.NaN : tpotNanos / 1e6 / tpotStreams;
        }
    }
}
