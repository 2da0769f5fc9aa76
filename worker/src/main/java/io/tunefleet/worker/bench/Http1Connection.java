package io.tunefleet.worker.bench;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One keep-alive HTTP/1.1 connection, read and written by the thread that owns it; only
 * {@link #abandon} may be called from another thread. The benchmark uses this rather than
 * {@code java.net.http.HttpClient} because the latter hands every request and every body buffer
 * between its selector thread and executor threads: measured here that added 2 to 5 ms to TTFT on a
 * loaded 2-core host, more than the 2 ms the benchmark may be off by. A request here is one write on
 * the caller's thread, and each streamed chunk is read on the same thread that timestamps it.
 */
final class Http1Connection implements Closeable {

    private final URI base;
    private final int readTimeoutMs;
    private volatile Socket socket;
    /** Set by {@link #abandon}: the connection does not connect again. */
    private volatile boolean abandoned;
    private BufferedInputStream in;
    private OutputStream out;
    /** Reused for every response head line and every streamed body. */
    private final StringBuilder headLine = new StringBuilder(128);
    private final SseLines lines = new SseLines();

    Http1Connection(URI base, int readTimeoutMs) {
        this.base = base;
        this.readTimeoutMs = readTimeoutMs;
    }

    /** A response whose status and headers are read; the body is left to the caller. */
    record Response(int status, InputStream body, boolean reusable) {
    }

    /** Sends a POST with a JSON body, reconnecting if needed, and reads the status and headers. */
    Response post(String path, byte[] json) throws IOException {
        boolean reused = socket != null && !socket.isClosed();
        if (!reused) {
            connect();
        }
        String head = "POST " + path + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                + "\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\nContent-Length: " + json.length
                + "\r\n\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[headBytes.length + json.length];
        System.arraycopy(headBytes, 0, request, 0, headBytes.length);
        System.arraycopy(json, 0, request, headBytes.length, json.length);
        String statusLine;
        try {
            statusLine = send(request);
        } catch (IOException e) {
            // A kept-alive connection the server closed while it sat idle (uvicorn, under vLLM and SGLang,
            // drops one after 5 s; the warm-up's fast users wait that long for the slowest): not a byte of
            // an answer came, so the request is sent once more on a new connection. Not after a read
            // timeout, a partial answer or an interrupt: those are the server's or the caller's.
            if (!reused || e instanceof SocketTimeoutException || headLine.length() > 0
                    || Thread.currentThread().isInterrupted()) {
                throw e;
            }
            connect();
            statusLine = send(request);
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x response: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        boolean chunked = false;
        long length = -1;
        boolean close = parts[0].equals("HTTP/1.0");
        String header;
        while (!(header = line()).isEmpty()) {
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim();
            switch (name) {
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "content-length" -> length = Long.parseLong(value);
                case "connection" -> close = value.equalsIgnoreCase("close");
                default -> { }
            }
        }
        InputStream body = chunked ? new Chunked() : length >= 0 ? new Bounded(length) : in;
        return new Response(status, body, !close && (chunked || length >= 0));
    }

    /** Writes the whole request and reads the answer's status line. */
    private String send(byte[] request) throws IOException {
        out.write(request);
        out.flush();
        return line();
    }

    /** Connects now, if not connected yet. */
    void open() throws IOException {
        if (socket == null || socket.isClosed()) {
            connect();
        }
    }

    private void connect() throws IOException {
        close();
        Socket fresh = new Socket();
        socket = fresh;
        if (abandoned) { // abandon() may have run meanwhile and closed the socket before this one
            fresh.close();
            throw new SocketException("connection abandoned");
        }
        fresh.setTcpNoDelay(true);
        fresh.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
        fresh.setSoTimeout(readTimeoutMs);
        in = new BufferedInputStream(fresh.getInputStream(), 16 * 1024);
        out = fresh.getOutputStream();
    }

    /** The lines of a streamed response body, in a buffer this connection reuses. */
    SseLines lines(InputStream body) {
        return lines.reset(body);
    }

    private String line() throws IOException {
        headLine.setLength(0);
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new EOFException("connection closed in the middle of a response head");
            }
            if (b != '\r') {
                headLine.append((char) b);
            }
        }
        return headLine.toString();
    }

    /**
     * Closes this connection for good, from any thread: a read blocked in it ends with an exception,
     * which an interrupt would not do, and it does not connect again.
     */
    void abandon() {
        abandoned = true;
        close();
    }

    @Override
    public void close() {
        Socket current = socket;
        if (current != null) {
            try {
                current.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** A response body: bulk reads are the real ones, a single byte is a bulk read of one. */
    private abstract static class Body extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }
    }

    /** A chunked body; reads return what the current chunk has, never waiting for more than that. */
    private final class Chunked extends Body {
        private long left;
        private boolean done;

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                String size = line();
                int semicolon = size.indexOf(';');
                left = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
                if (left == 0) {
                    while (!line().isEmpty()) {
                        // trailers
                    }
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException("connection closed in the middle of a chunk");
            }
            left -= n;
            if (left == 0) {
                line();
            }
            return n;
        }
    }

    /** A body of a known length. */
    private final class Bounded extends Body {
        private long left;

        Bounded(long length) {
            this.left = length;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException("connection closed before the end of the body");
            }
            left -= n;
            return n;
        }
    }
}
