package io.tunefleet.worker.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * A streaming {@code /v1/completions} server on loopback whose answers a test scripts by request number
 * (1, 2, … in the order requests arrive): each answer streams text chunks, then its usage and
 * {@code [DONE]}, either at once or one chunk per tick. It keeps which requests are being answered and
 * which the client closed before their answer ended.
 */
final class ScriptedEngine implements AutoCloseable {

    /**
     * @param chunks text chunks before the usage; -1 for an answer that streams until the client closes
     * @param every  the pace of a slow answer; zero for one written at once
     */
    record Answer(int chunks, Duration every) {

        static Answer quick() {
            return new Answer(4, Duration.ZERO);
        }

        static Answer slow(int chunks, Duration every) {
            return new Answer(chunks, every);
        }

        static Answer endless(Duration every) {
            return new Answer(-1, every);
        }
    }

    private final ServerSocket server;
    private final IntFunction<Answer> script;
    private final OnRequest onRequest;
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "scripted-engine-ticks");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Set<Integer> open = new TreeSet<>();
    private final Set<Integer> cut = new TreeSet<>();
    private int received;

    /** Called with each request's number on the thread that read it, before it is answered. */
    interface OnRequest {
        void accept(ScriptedEngine engine, int n) throws InterruptedException;
    }

    ScriptedEngine(IntFunction<Answer> script) throws IOException {
        this(script, (engine, n) -> { });
    }

    ScriptedEngine(IntFunction<Answer> script, OnRequest onRequest) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.script = script;
        this.onRequest = onRequest;
        Thread accepting = new Thread(this::accept, "scripted-engine");
        accepting.setDaemon(true);
        accepting.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Requests whose answer has neither ended nor been closed by the client. */
    synchronized Set<Integer> open() {
        return Set.copyOf(open);
    }

    /** Requests the client closed before their answer ended. */
    synchronized Set<Integer> cut() {
        return Set.copyOf(cut);
    }

    /**
     * The requests still open once none is, or once {@code atMost} has passed: the server learns that
     * the client closed a connection on that connection's own thread, a moment after the close.
     */
    synchronized Set<Integer> openOnceSettled(Duration atMost) throws InterruptedException {
        long until = System.nanoTime() + atMost.toNanos();
        long left;
        while (!open.isEmpty() && (left = until - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return Set.copyOf(open);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                Thread serving = new Thread(() -> serve(socket), "scripted-engine-conn");
                serving.setDaemon(true);
                serving.start();
            } catch (IOException closed) {
                // the server closed
            }
        }
    }

    private void serve(Socket socket) {
        int n = 0;
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (readRequest(in)) {
                synchronized (this) {
                    n = ++received;
                }
                onRequest.accept(this, n);
                Answer answer = script.apply(n);
                started(n);
                if (answer.every().isZero()) {
                    out.write(head(false));
                    for (int i = 0; i < answer.chunks(); i++) {
                        out.write(text());
                    }
                    out.write(end(answer.chunks()));
                    out.flush();
                    ended(n, false);
                } else {
                    streamSlowly(n, answer, in, out);
                    return; // a slow answer closes its connection
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client or the test closed the connection
        } finally {
            ended(n, true); // if its answer had not ended
        }
    }

    /** Streams one chunk per tick, while this thread waits for the client to close the connection. */
    private void streamSlowly(int n, Answer answer, InputStream in, OutputStream out) throws IOException {
        out.write(head(true));
        out.flush();
        int[] sent = {0};
        ScheduledFuture<?> pace = ticks.scheduleAtFixedRate(() -> {
            try {
                if (answer.chunks() < 0 || sent[0] < answer.chunks()) {
                    out.write(text());
                    sent[0]++;
                } else {
                    out.write(end(sent[0]));
                    ended(n, false);
                    throw new IllegalStateException("answered"); // a task that throws is not run again
                }
            } catch (IOException closed) {
                ended(n, true);
                throw new IllegalStateException("closed by the client", closed);
            }
        }, answer.every().toNanos(), answer.every().toNanos(), TimeUnit.NANOSECONDS);
        try {
            while (in.read() >= 0) {
                // nothing more comes on this connection until the client closes it
            }
        } catch (IOException closed) {
            // closed by the client
        } finally {
            pace.cancel(false);
            ended(n, true);
        }
    }

    private synchronized void started(int n) {
        open.add(n);
    }

    /** Marks an answer ended; cut when the client closed it first. The first call for a request wins. */
    private synchronized void ended(int n, boolean byClient) {
        if (open.remove(n)) {
            if (byClient) {
                cut.add(n);
            }
            notifyAll();
        }
    }

    private static byte[] head(boolean close) {
        return ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
                + (close ? "Connection: close\r\n" : "") + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] text() {
        return chunk("data: {\"choices\":[{\"index\":0,\"text\":\"x\"}]}\n\n");
    }

    private static byte[] end(int tokens) {
        String usage = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":" + tokens + "}}\n\n";
        byte[] a = chunk(usage);
        byte[] b = chunk("data: [DONE]\n\n");
        byte[] last = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[a.length + b.length + last.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        System.arraycopy(last, 0, all, a.length + b.length, last.length);
        return all;
    }

    private static byte[] chunk(String data) {
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        return (Integer.toHexString(bytes.length) + "\r\n" + data + "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Reads a request head and its Content-Length body; false when the connection closed first. */
    private static boolean readRequest(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return false;
            }
            head.append((char) b);
        }
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                in.readNBytes(Integer.parseInt(line.substring(15).trim()));
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        ticks.shutdownNow();
        server.close();
        sockets.forEach(s -> {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        });
    }
}
