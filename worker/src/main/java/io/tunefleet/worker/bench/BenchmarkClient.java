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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
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
    private final ThreadFactory threads;

    /**
     * @param base           e.g. {@code http://127.0.0.1:30000}
     * @param chat           {@code /v1/chat/completions} when true, {@code /v1/completions} otherwise
     * @param requestTimeout how long one request may take before it counts as a timeout
     */
    public BenchmarkClient(URI base, String model, boolean chat, Duration requestTimeout) {
        this(base, model, chat, requestTimeout, Thread::new);
    }

    /** @param threads makes each user's thread (unstarted); the level names it and starts it */
    BenchmarkClient(URI base, String model, boolean chat, Duration requestTimeout, ThreadFactory threads) {
        this.base = base;
        this.model = model;
        this.chat = chat;
        this.requestTimeout = requestTimeout;
        this.threads = threads;
    }

    /**
     * Runs every scenario at every concurrency level, in order, each after its warm-up.
     *
     * @throws IllegalStateException when a level could not start all its users (no native thread left,
     *                               say); the users it had started are stopped first
     */
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

    /**
     * One level: its users warm up, then send requests until {@code maxRequestsPerLevel} are sent or
     * {@code maxTimePerLevel} is up. The requests in flight at the time limit finish and count, as long
     * as they end within {@link #drainGrace} more; then the level closes its connections, and those still
     * unanswered count as {@code timeout}. The level returns only once its users have stopped, so that no
     * request of it is still loading the server while the next level is measured.
     */
    private LevelResult level(BenchmarkPlan plan, TrafficScenario scenario, int concurrency, Random random)
            throws InterruptedException {
        List<RequestOutcome> outcomes = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger issued = new AtomicInteger();
        AtomicLong lastEnd = new AtomicLong();
        Connections connections = new Connections();
        // Connections open and warm before the clock starts: each user sends its warm-up requests, all
        // wait for each other, then the level begins. It measures serving, not handshakes or cold code.
        Random warmup = new Random(~random.nextLong());
        CountDownLatch connected = new CountDownLatch(concurrency);
        CountDownLatch go = new CountDownLatch(1);
        long[] deadline = new long[1]; // set before go opens
        Runnable user = () -> {
            boolean warm = false;
            try (Http1Connection connection = connections.add(connection())) {
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
                warm = true;
                connected.countDown();
                go.await();
                while (!connections.closed() && System.nanoTime() < deadline[0]
                        && issued.incrementAndGet() <= plan.maxRequestsPerLevel()) {
                    int[] lengths;
                    String prompt;
                    synchronized (random) {
                        lengths = scenario.sample(random);
                        prompt = Prompts.of(lengths[0], random);
                    }
                    long t0 = System.nanoTime();
                    RequestOutcome outcome = request(connection, prompt, lengths[1]);
                    if (connections.closed() && !outcome.ok()) {
                        // Cut at the level's end, its drain grace past its time limit: not answered in time.
                        outcomes.add(RequestOutcome.failed("timeout", ms(t0, System.nanoTime())));
                        return;
                    }
                    outcomes.add(outcome);
                    lastEnd.accumulateAndGet(System.nanoTime(), Math::max);
                }
            } catch (IOException e) {
                outcomes.add(RequestOutcome.failed("connection", 0)); // this user could not even connect
            } catch (InterruptedException e) {
                // the level was stopped
            } catch (RuntimeException e) {
                // The client's own fault (a prompt it could not build, say): counted, so that a level never
                // reads as served in full, and the level goes on without this user.
                log.warn("benchmark {} at concurrency {}: a user stopped: {}", scenario.text(), concurrency, e.toString());
                outcomes.add(RequestOutcome.failed("client", 0));
            } finally {
                if (!warm) {
                    connected.countDown(); // never leave the level waiting for this user's warm-up
                }
            }
        };
        List<Thread> users = startUsers(user, concurrency, scenario, connections, go);
        long start;
        try {
            connected.await();
            start = System.nanoTime();
            deadline[0] = start + plan.maxTimePerLevel().toNanos();
            go.countDown();
            long cutAt = deadline[0] + drainGrace(plan).toNanos();
            for (Thread u : users) {
                TimeUnit.NANOSECONDS.timedJoin(u, cutAt - System.nanoTime());
            }
        } finally {
            // The level is over: its drain grace past its time limit, or interrupted. Closing the
            // connections ends the reads of the requests still in flight, which an interrupt would not.
            connections.closeAll();
            go.countDown();
        }
        join(users);
        double duration = (Math.max(lastEnd.get(), start) - start) / 1e9;
        List<RequestOutcome> done;
        synchronized (outcomes) {
            done = List.copyOf(outcomes);
        }
        return LevelResult.of(scenario.text(), concurrency, done, duration, plan.gpus());
    }

    /**
     * How long past its time limit a level waits for the requests in flight: the request timeout, but
     * no longer than the limit itself, so that a level's measured part takes at most twice its limit
     * (its warm-up comes before).
     */
    private Duration drainGrace(BenchmarkPlan plan) {
        return requestTimeout.compareTo(plan.maxTimePerLevel()) < 0 ? requestTimeout : plan.maxTimePerLevel();
    }

    /**
     * Starts a level's users. When one cannot be started ("unable to create native thread", say), those
     * already started, which would otherwise wait for it for good, are stopped and the run fails: a
     * level with fewer users than its concurrency measures nothing it could report.
     */
    private List<Thread> startUsers(Runnable user, int concurrency, TrafficScenario scenario,
                                    Connections connections, CountDownLatch go) throws InterruptedException {
        List<Thread> users = new ArrayList<>(concurrency);
        try {
            for (int i = 1; i <= concurrency; i++) {
                Thread thread = threads.newThread(user);
                thread.setName("bench-c" + concurrency + "-" + i);
                thread.setDaemon(true);
                thread.start();
                users.add(thread);
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            // With its connections closed a user's warm-up requests fail at once, and past go it finds the
            // level over: each ends, and is joined, before the run fails.
            connections.closeAll();
            go.countDown();
            join(users);
            throw new IllegalStateException("benchmark " + scenario.text() + " at concurrency " + concurrency
                    + ": could not start user " + (users.size() + 1) + " (" + e + "); the " + users.size()
                    + " started were stopped", e);
        }
        return users;
    }

    private static void join(List<Thread> users) throws InterruptedException {
        for (Thread user : users) {
            user.join();
        }
    }

    private Http1Connection connection() {
        return new Http1Connection(base, (int) Math.min(Integer.MAX_VALUE, requestTimeout.toMillis()));
    }

    /** One level's connections, so that the level can close them all from its own thread. */
    private static final class Connections {
        private final List<Http1Connection> open = new ArrayList<>();
        private boolean closed;

        /** Keeps a user's connection; one that comes after {@link #closeAll} is abandoned at once. */
        synchronized Http1Connection add(Http1Connection connection) {
            if (closed) {
                connection.abandon();
            } else {
                open.add(connection);
            }
            return connection;
        }

        synchronized void closeAll() {
            closed = true;
            open.forEach(Http1Connection::abandon);
        }

        synchronized boolean closed() {
            return closed;
        }
    }

    /** Sends one streaming request and reads it to the end. */
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
