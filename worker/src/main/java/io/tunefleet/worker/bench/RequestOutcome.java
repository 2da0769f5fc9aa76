package io.tunefleet.worker.bench;

/**
 * How one request went. Times in milliseconds from the moment it was sent; NaN where not reached.
 *
 * @param error null on success, else a short kind: {@code http_500}, {@code stream_incomplete},
 *              {@code timeout}, {@code connection}, {@code bad_response}, {@code no_tokens}
 */
record RequestOutcome(String error, double ttftMs, double lastTokenMs, double e2eMs, int chunks, int promptTokens,
                      int completionTokens) {

    static RequestOutcome failed(String error, double e2eMs) {
        return new RequestOutcome(error, Double.NaN, Double.NaN, e2eMs, 0, 0, 0);
    }

    boolean ok() {
        return error == null;
    }

    /** Time per output token after the first: (last token - first token) / (tokens - 1). */
    double tpotMs() {
        return completionTokens > 1 ? (lastTokenMs - ttftMs) / (completionTokens - 1) : Double.NaN;
    }

    /** Mean gap between streamed chunks, which carry one token or several. */
    double itlMs() {
        return chunks > 1 ? (lastTokenMs - ttftMs) / (chunks - 1) : Double.NaN;
    }
}
