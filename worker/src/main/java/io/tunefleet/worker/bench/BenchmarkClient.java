package io.tunefleet.worker.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Benchmarks an OpenAI-compatible server the way genai-bench does: streaming requests with
 * {@code max_tokens} and {@code ignore_eos} so output lengths are what the scenario asks, token
 * counts from the server's {@code usage}, a sweep over concurrency levels, each after a warm-up
 * in which every user sends requests that are not counted. Each level keeps exactly
 * {@code concurrency} requests in flight from its own threads, each with its own keep-alive
 * connection ({@link Http1Connection}), and timestamps every chunk on the thread that reads it, so
 * what it measures is the server plus loopback, not a queue in the client. TTFT runs from the
 * request's write to the first chunk with text; TPOT is (last token - first token) / (completion
 * tokens - 1); ITL the mean gap between chunks; end-to-end latency runs to {@code [DONE]}.
 */
public final class BenchmarkClient {

    private static final Logger log = LoggerFactory.getLogger(BenchmarkClient.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI base;
    private final String model;
    private final boolean chat;
    private final Duration requestTimeout;
    private final java.util.Set<Http1Connection> open = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * @param base           e.g. {@code http://127.0.0.1:30000}
     * @param chat           {@code /v1/chat/completions} when true, {@code /v1/completions} otherwise
     * @param requestTimeout how long one request may take before it counts as a timeout
     */
    public BenchmarkClient(URI base, String model, boolean chat, Duration requestTimeout) {
        this.base = base;
        this.model = model;
        this.chat = chat;
        this.requestTimeout = requestTimeout;
    }

    /** Runs every scenario at every concurrency level, in order, each after its warm-up. */
    public List<LevelResult> run(BenchmarkPlan plan) throws InterruptedException {
        List<LevelResult> results = new ArrayList<>();
        for (int s = 0; s < plan.scenarios().size(); s++) {
            for (int concurrency : plan.concurrency()) {
                LevelResult level = level(plan, plan.scenarios().get(s), concurrency,
                        new Random(plan.seed() * 31 + s * 1009L + concurrency));
                log.debug("{} at concurrency {}: {} of {} requests ok, ttft {} ms, tpot {} ms", level.scenario(),
                        concurrency, level.succeeded(), level.requests(), level.ttftMs().mean(), level.tpotMs().mean());
                results.add(level);
            }
        }
        return results;
    }

    private LevelResult level(BenchmarkPlan plan, TrafficScenario scenario, int concurrency, Random random)
            throws InterruptedException {
        List<RequestOutcome> outcomes = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger issued = new AtomicInteger();
        AtomicLong lastEnd = new AtomicLong();
        AtomicInteger threadNo = new AtomicInteger();
        ExecutorService users = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "bench-c" + concurrency + "-" + threadNo.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // Connections open and warm before the clock starts: each user sends its warm-up requests, all
        // wait for each other, then the level begins. It measures serving, not handshakes or cold code.
        Random warmup = new Random(~random.nextLong());
        java.util.concurrent.CountDownLatch connected = new java.util.concurrent.CountDownLatch(concurrency);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        long[] clock = new long[2];
        for (int i = 0; i < concurrency; i++) {
            users.execute(() -> {
                try (Http1Connection connection = connection()) {
                connection.open();
                for (int w = 0; w < plan.warmupRequests(); w++) {
                    int[] lengths;
                    String prompt;
                    synchronized (warmup) {
                        lengths = scenario.sample(warmup);
                        prompt = Prompts.of(lengths[0], warmup);
                    }
                    request(connection, prompt, lengths[1]);
                }
                connected.countDown();
                go.await();
                long deadline = clock[1];
                while (!Thread.currentThread().isInterrupted() && System.nanoTime() < deadline
                        && issued.incrementAndGet() <= plan.maxRequestsPerLevel()) {
                    int[] lengths;
                    String prompt;
                    synchronized (random) {
                        lengths = scenario.sample(random);
                        prompt = Prompts.of(lengths[0], random);
                    }
                    try {
                        outcomes.add(request(connection, prompt, lengths[1]));
                    } catch (InterruptedException e) {
                        return;
                    }
                    lastEnd.accumulateAndGet(System.nanoTime(), Math::max);
                }
                } catch (IOException e) {
                    outcomes.add(RequestOutcome.failed("connection", 0)); // this user could not even connect
                    connected.countDown();
                } catch (InterruptedException e) {
                    connected.countDown();
                }
            });
        }
        long start;
        try {
            connected.await();
            start = System.nanoTime();
            clock[0] = start;
            clock[1] = start + plan.maxTimePerLevel().toNanos();
            go.countDown();
            users.shutdown();
            long grace = plan.maxTimePerLevel().plus(requestTimeout).plusSeconds(5).toNanos();
            if (!users.awaitTermination(grace, TimeUnit.NANOSECONDS)) {
                log.warn("benchmark level {} at concurrency {} overran; abandoning its open requests", scenario,
                        concurrency);
                users.shutdownNow();
            }
        } catch (InterruptedException e) {
            users.shutdownNow();
            open.forEach(Http1Connection::close); // socket reads do not see interrupts; closing ends them
            throw e;
        } finally {
            open.clear();
        }
        double duration = (Math.max(lastEnd.get(), start) - start) / 1e9;
        List<RequestOutcome> done;
        synchronized (outcomes) {
            done = List.copyOf(outcomes);
        }
        return LevelResult.of(scenario.text(), concurrency, done, duration, plan.gpus());
    }

    /** Sends one streaming request and reads it to the end. */
    private Http1Connection connection() {
        Http1Connection connection = new Http1Connection(base, (int) Math.min(Integer.MAX_VALUE,
                requestTimeout.toMillis()));
        open.add(connection);
        return connection;
    }

    RequestOutcome request(Http1Connection connection, String prompt, int outputTokens) throws InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", model);
        if (chat) {
            body.put("messages", List.of(Map.of("role", "user", "content", prompt)));
        } else {
            body.put("prompt", prompt);
        }
        body.put("max_tokens", outputTokens);
        body.put("ignore_eos", true);
        body.put("temperature", 0);
        body.put("stream", true);
        body.put("stream_options", Map.of("include_usage", true));
        byte[] json = JSON.writeValueAsBytes(body);
        String path = chat ? "/v1/chat/completions" : "/v1/completions";
        long t0 = System.nanoTime();
        try {
            Http1Connection.Response response = connection.post(path, json);
            InputStream in = response.body();
            if (response.status() != 200) {
                in.readAllBytes();
                if (!response.reusable()) {
                    connection.close();
                }
                return RequestOutcome.failed("http_" + response.status(), ms(t0, System.nanoTime()));
            }
            RequestOutcome outcome = readStream(connection.lines(in), t0);
            if (!outcome.ok() || !response.reusable()) {
                connection.close();
            }
            return outcome;
        } catch (java.net.SocketTimeoutException e) {
            connection.close();
            return RequestOutcome.failed("timeout", ms(t0, System.nanoTime()));
        } catch (RuntimeException e) {
            // JSON that does not parse (Jackson's exceptions are unchecked), or a status line, length or
            // chunk size that is not a number. Thrown on, it would end this user's thread, and in the
            // warm-up leave the level waiting for it for good.
            connection.close();
            return RequestOutcome.failed("bad_response", ms(t0, System.nanoTime()));
        } catch (IOException e) {
            connection.close();
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("benchmark stopped");
            }
            return RequestOutcome.failed("connection", ms(t0, System.nanoTime()));
        }
    }

    private RequestOutcome readStream(SseLines lines, long t0) throws IOException {
        long first = 0;
        long last = 0;
        int chunks = 0;
        int promptTokens = -1;
        int completionTokens = -1;
        boolean done = false;
        while (lines.next()) {
            long now = System.nanoTime();
            if (!lines.isData()) {
                continue;
            }
            if (lines.dataEquals("[DONE]")) {
                done = true;
                while (lines.next()) {
                    // the rest of the body, so the connection can carry the next request
                }
                break;
            }
            int from = lines.dataOffset();
            StreamEvent event = StreamEvent.parse(lines.buffer(), from, lines.lineEnd() - from);
            if (event.error()) {
                return RequestOutcome.failed("server_error", ms(t0, now));
            }
            if (event.hasText()) {
                if (chunks == 0) {
                    first = now;
                }
                last = now;
                chunks++;
            }
            if (event.completionTokens() >= 0) {
                promptTokens = event.promptTokens();
                completionTokens = event.completionTokens();
            }
        }
        long end = System.nanoTime();
        if (!done || completionTokens < 0) {
            return RequestOutcome.failed("stream_incomplete", ms(t0, end));
        }
        if (chunks == 0) {
            return RequestOutcome.failed("no_tokens", ms(t0, end));
        }
        return new RequestOutcome(null, ms(t0, first), ms(t0, last), ms(t0, end), chunks, promptTokens,
                completionTokens);
    }

    private static double ms(long from, long to) {
        return (to - from) / 1e6;
    }
}
