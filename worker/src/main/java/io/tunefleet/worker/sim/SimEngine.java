package io.tunefleet.worker.sim;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tunefleet.common.param.ParameterSet;
import io.tunefleet.worker.runtime.SimPerformanceModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A simulated OpenAI-compatible engine: a real HTTP server on 127.0.0.1 with {@code /health},
 * {@code /v1/models}, {@code /v1/completions} and {@code /v1/chat/completions}, streaming
 * (server-sent events, a last chunk with {@code usage}, then {@code data: [DONE]}) or not.
 * <p>
 * Timing: a request's first token is due {@link LatencyModel#ttftMs} after it arrives, each next one
 * {@link LatencyModel#tpotMs} after the previous due time, both asked with the requests in flight
 * at that moment. Tokens are sent at absolute due times, so scheduling jitter never accumulates.
 * Prompt tokens are estimated as {@code ceil(characters / 4)} of the prompt (chat: of all message
 * contents), the usual rule of thumb for English text with BPE tokenizers. A reply has
 * {@code max_tokens} tokens (default 16) when {@code ignore_eos} is set, otherwise it stops at the
 * options' natural length if that comes first.
 */
public final class SimEngine implements AutoCloseable {

    static {
        // Each token is a small write; without TCP_NODELAY Nagle would hold it back for an ACK.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private static final Logger log = LoggerFactory.getLogger(SimEngine.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final int DEFAULT_MAX_TOKENS = 16;
    static final int PRESTARTED_THREADS = 16;

    private final SimEngineOptions options;
    private final HttpServer server;
    private final ExecutorService threads;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong requests = new AtomicLong();
    private final ServedTimings served = new ServedTimings();

    private SimEngine(SimEngineOptions options, HttpServer server, ExecutorService threads) {
        this.options = options;
        this.server = server;
        this.threads = threads;
    }

    /** Starts an engine that serves at once. */
    public static SimEngine start(SimEngineOptions options) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), options.port()),
                1024);
        AtomicInteger n = new AtomicInteger();
        // Threads ready before the first request, so a burst of streams does not wait for thread creation.
        java.util.concurrent.ThreadPoolExecutor threads = new java.util.concurrent.ThreadPoolExecutor(
                PRESTARTED_THREADS, Integer.MAX_VALUE, 60, java.util.concurrent.TimeUnit.SECONDS,
                new java.util.concurrent.SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "sim-engine-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        threads.prestartAllCoreThreads();
        SimEngine engine = new SimEngine(options, server, threads);
        server.setExecutor(threads);
        server.createContext("/health", engine::health);
        server.createContext("/v1/models", engine::models);
        server.createContext("/v1/completions", ex -> engine.generate(ex, false));
        server.createContext("/v1/chat/completions", ex -> engine.generate(ex, true));
        server.start();
        log.debug("sim engine serving {} on port {} with {}", options.model(), engine.port(), options.latency());
        return engine;
    }

    /**
     * Starts an engine for an experiment's configuration, failing as a real engine would: out of
     * memory when the weights and the KV cache do not fit, a crash for an invalid flag combination.
     */
    public static SimEngine forConfig(ParameterSet params, String model, int port)
            throws IOException, EngineStartException {
        Optional<SimPerformanceModel.Failure> failure = SimPerformanceModel.failure(params, model);
        if (failure.isPresent()) {
            throw new EngineStartException(failure.get().failureClass(), failure.get().message());
        }
        return start(SimEngineOptions.of(port, model, LatencyModel.of(params, model)));
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** What this engine actually delivered on the streams it completed. */
    public ServedTimings.Snapshot served() {
        return served.snapshot();
    }

    /** Requests being served now. */
    public int inFlight() {
        return inFlight.get();
    }

    private void health(HttpExchange ex) throws IOException {
        respond(ex, 200, "{\"status\":\"ok\"}");
    }

    private void models(HttpExchange ex) throws IOException {
        Map<String, Object> model = Map.of("id", options.model(), "object", "model", "owned_by", "tunefleet-sim");
        respond(ex, 200, JSON.writeValueAsString(Map.of("object", "list", "data", List.of(model))));
    }

    private void generate(HttpExchange ex, boolean chat) throws IOException {
        long arrived = System.nanoTime();
        try (ex) {
            if (!"POST".equals(ex.getRequestMethod())) {
                respond(ex, 405, error("use POST"));
                return;
            }
            JsonNode body;
            try (InputStream in = ex.getRequestBody()) {
                body = JSON.readTree(in);
            } catch (RuntimeException e) {
                respond(ex, 400, error("request body is not JSON: " + e.getMessage()));
                return;
            }
            long number = requests.incrementAndGet();
            if (options.errorEvery() > 0 && number % options.errorEvery() == 0) {
                respond(ex, 500, error("simulated internal error"));
                return;
            }
            int promptTokens = promptTokens(body, chat);
            int maxTokens = body.path("max_tokens").asInt(DEFAULT_MAX_TOKENS);
            if (maxTokens < 1) {
                respond(ex, 400, error("max_tokens must be at least 1"));
                return;
            }
            int outputTokens = body.path("ignore_eos").asBoolean(false) ? maxTokens
                    : Math.min(maxTokens, options.naturalLength());
            boolean abort = options.abortEvery() > 0 && number % options.abortEvery() == 0;
            inFlight.incrementAndGet();
            try {
                Reply reply = new Reply(ex, chat, body.path("model").asString(options.model()), promptTokens,
                        outputTokens, abort);
                if (body.path("stream").asBoolean(false)) {
                    reply.stream(arrived);
                } else {
                    reply.whole(arrived);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.decrementAndGet();
            }
        } catch (IOException e) {
            log.trace("client went away: {}", e.toString());
        }
    }

    static int promptTokens(JsonNode body, boolean chat) {
        int chars = 0;
        if (chat) {
            for (JsonNode message : body.path("messages")) {
                chars += message.path("content").asString("").length();
            }
        } else {
            JsonNode prompt = body.path("prompt");
            if (prompt.isArray()) {
                for (JsonNode p : prompt) {
                    chars += p.asString("").length();
                }
            } else {
                chars = prompt.asString("").length();
            }
        }
        return Math.max(1, (chars + 3) / 4);
    }

    /** One reply in the making. */
    private final class Reply {
        private final HttpExchange ex;
        private final boolean chat;
        private final String model;
        private final int promptTokens;
        private final int outputTokens;
        private final boolean abort;
        private final String id = "cmpl-" + UUID.randomUUID();
        private final long created = System.currentTimeMillis() / 1000;

        Reply(HttpExchange ex, boolean chat, String model, int promptTokens, int outputTokens, boolean abort) {
            this.ex = ex;
            this.chat = chat;
            this.model = model;
            this.promptTokens = promptTokens;
            this.outputTokens = outputTokens;
            this.abort = abort;
        }

        void stream(long arrived) throws IOException, InterruptedException {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.getResponseHeaders().set("Cache-Control", "no-cache");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            out.flush(); // the headers go now, as a real engine's do, not with the first token
            long due = arrived + nanos(options.latency().ttftMs(inFlight.get(), promptTokens, outputTokens));
            // Serialized once: the middle chunks are all alike, so sending a token costs one write.
            byte[] middle = event(chunk(1, null));
            long firstFlushed = 0;
            long lastFlushed = 0;
            for (int i = 0; i < outputTokens; i++) {
                boolean last = i == outputTokens - 1;
                byte[] bytes = i == 0 || last ? event(chunk(i, last ? "length" : null)) : middle;
                waitUntil(due);
                out.write(bytes);
                out.flush();
                lastFlushed = System.nanoTime();
                if (i == 0) {
                    firstFlushed = lastFlushed;
                }
                if (abort && i >= Math.min(2, outputTokens - 1)) {
                    return; // the stream just ends: no usage, no [DONE]
                }
                due += nanos(options.latency().tpotMs(inFlight.get(), promptTokens, outputTokens));
            }
            served.record(arrived, firstFlushed, lastFlushed, outputTokens);
            Map<String, Object> usage = new LinkedHashMap<>(base(chat ? "chat.completion.chunk" : "text_completion"));
            usage.put("choices", List.of());
            usage.put("usage", usage());
            send(out, JSON.writeValueAsString(usage));
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        void whole(long arrived) throws IOException, InterruptedException {
            double ms = options.latency().ttftMs(inFlight.get(), promptTokens, outputTokens);
            long due = arrived + nanos(ms);
            for (int i = 1; i < outputTokens; i++) {
                due += nanos(options.latency().tpotMs(inFlight.get(), promptTokens, outputTokens));
            }
            waitUntil(due);
            Map<String, Object> reply = new LinkedHashMap<>(base(chat ? "chat.completion" : "text_completion"));
            String text = " tok".repeat(outputTokens);
            Map<String, Object> choice = new LinkedHashMap<>();
            choice.put("index", 0);
            if (chat) {
                choice.put("message", Map.of("role", "assistant", "content", text));
            } else {
                choice.put("text", text);
            }
            choice.put("finish_reason", "length");
            reply.put("choices", List.of(choice));
            reply.put("usage", usage());
            respond(ex, 200, JSON.writeValueAsString(reply));
        }

        private String chunk(int index, String finishReason) {
            Map<String, Object> chunk = new LinkedHashMap<>(base(chat ? "chat.completion.chunk" : "text_completion"));
            Map<String, Object> choice = new LinkedHashMap<>();
            choice.put("index", 0);
            if (chat) {
                Map<String, Object> delta = new LinkedHashMap<>();
                if (index == 0) {
                    delta.put("role", "assistant");
                }
                delta.put("content", " tok");
                choice.put("delta", delta);
            } else {
                choice.put("text", " tok");
            }
            choice.put("finish_reason", finishReason);
            List<Object> choices = new ArrayList<>();
            choices.add(choice);
            chunk.put("choices", choices);
            return JSON.writeValueAsString(chunk);
        }

        private Map<String, Object> base(String object) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("object", object);
            m.put("created", created);
            m.put("model", model);
            return m;
        }

        private Map<String, Object> usage() {
            return Map.of("prompt_tokens", promptTokens, "completion_tokens", outputTokens,
                    "total_tokens", promptTokens + outputTokens);
        }
    }

    private static byte[] event(String json) {
        return ("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void send(OutputStream out, String json) throws IOException {
        out.write(event(json));
        out.flush();
    }

    private static long nanos(double ms) {
        return Math.round(ms * 1_000_000);
    }

    /** Parks until the due time; reacts to interrupts. */
    static void waitUntil(long dueNanos) throws InterruptedException {
        long left;
        while ((left = dueNanos - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    private static String error(String message) {
        return JSON.writeValueAsString(Map.of("error", Map.of("message", message, "type", "server_error")));
    }

    private static void respond(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Stops serving at once: open streams end, no new connection is accepted. */
    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
