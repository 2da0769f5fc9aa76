package io.tunefleet.worker.sim;

/**
 * How a simulated engine serves.
 *
 * @param port          TCP port on 127.0.0.1; 0 picks a free one
 * @param model         the model name {@code /v1/models} lists
 * @param latency       how long prefill and decode take
 * @param naturalLength tokens a reply has when the request does not set {@code ignore_eos}
 *                      (the model "stops" there, or at {@code max_tokens} if that comes first)
 * @param errorEvery    every n-th request is answered with HTTP 500; 0 never (fault injection for tests)
 * @param abortEvery    every n-th request's stream ends after its first tokens, without usage or
 *                      {@code [DONE]}; 0 never
 */
public record SimEngineOptions(int port, String model, LatencyModel latency, int naturalLength, int errorEvery,
                               int abortEvery) {

    public static final int DEFAULT_NATURAL_LENGTH = 128;

    public SimEngineOptions {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (naturalLength < 1 || errorEvery < 0 || abortEvery < 0) {
            throw new IllegalArgumentException("naturalLength must be positive, errorEvery and abortEvery >= 0");
        }
    }

    public static SimEngineOptions of(int port, String model, LatencyModel latency) {
        return new SimEngineOptions(port, model, latency, DEFAULT_NATURAL_LENGTH, 0, 0);
    }

    public SimEngineOptions withFaults(int errorEvery, int abortEvery) {
        return new SimEngineOptions(port, model, latency, naturalLength, errorEvery, abortEvery);
    }
}
