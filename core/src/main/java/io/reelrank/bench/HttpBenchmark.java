package io.reelrank.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A closed-loop load generator for the HTTP API: {@code clients} threads, each on one keep-alive
 * connection, send GET requests for the given paths in turn (each thread starting at a different
 * offset) as fast as the answers come, for a warm-up and then a measured period, and report
 * requests/s and latency percentiles of the measured period. It speaks just enough HTTP/1.1 over a
 * plain socket (request line, Host, Content-Length bodies) that the client's own cost stays small
 * beside the server's. It stops by itself: each period has a deadline and every read a timeout.
 */
public final class HttpBenchmark {

    /** A single request slower than this counts as an error and ends that client's connection. */
    static final int READ_TIMEOUT_MS = 10_000;
    /** Latencies kept per client; past it the client stops recording (not sending), bounding memory. */
    static final int MAX_SAMPLES = 20_000_000;

    private HttpBenchmark() {}

    /** The measured period: requests answered 200, the others, and latency percentiles in ms. */
    public record Stats(int clients, long requests, long errors, double seconds, double p50Ms, double p90Ms,
                        double p99Ms, double p999Ms, double maxMs, String firstError) {
        public double requestsPerSecond() {
            return seconds > 0 ? requests / seconds : 0;
        }
    }

    public static Stats run(URI base, List<String> paths, int clients, double warmupSeconds, double seconds)
            throws InterruptedException {
        if (paths.isEmpty()) throw new IllegalArgumentException("paths must not be empty");
        if (clients < 1 || clients > 64) throw new IllegalArgumentException("clients must be in 1-64, got " + clients);
        if (!(seconds > 0 && seconds <= 3600)) {
            throw new IllegalArgumentException("seconds must be in (0, 3600], got " + seconds);
        }
        if (!(warmupSeconds >= 0 && warmupSeconds <= 600)) {
            throw new IllegalArgumentException("warm-up seconds must be in 0-600, got " + warmupSeconds);
        }
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmupSeconds * 1e9);
        long end = measureFrom + (long) (seconds * 1e9);
        Client[] cs = new Client[clients];
        Thread[] threads = new Thread[clients];
        AtomicReference<String> firstError = new AtomicReference<>();
        for (int i = 0; i < clients; i++) {
            cs[i] = new Client(base, paths, i * paths.size() / clients, measureFrom, end, firstError);
            threads[i] = new Thread(cs[i], "bench-http-client-" + i);
            threads[i].start();
        }
        for (Thread t : threads) t.join();
        long total = 0, errors = 0;
        Latencies all = new Latencies();
        for (Client c : cs) {
            total += c.ok;
            errors += c.errors;
            for (int i = 0; i < c.samples; i++) all.record(c.latencies[i]);
        }
        return new Stats(clients, total, errors, seconds, all.ms(0.50), all.ms(0.90), all.ms(0.99), all.ms(0.999),
                all.maxMs(), firstError.get());
    }

    private static final class Client implements Runnable {
        private final String host;
        private final int port;
        private final byte[][] requests;
        private final int offset;
        private final long measureFrom;
        private final long end;
        private final AtomicReference<String> firstError;
        long[] latencies = new long[1 << 16];
        int samples;
        long ok;
        long errors;
        private Socket socket;
        private InputStream in;
        private OutputStream out;

        Client(URI base, List<String> paths, int offset, long measureFrom, long end,
                AtomicReference<String> firstError) {
            this.host = base.getHost();
            this.port = base.getPort();
            this.requests = new byte[paths.size()][];
            for (int i = 0; i < paths.size(); i++) {
                requests[i] = ("GET " + paths.get(i) + " HTTP/1.1\r\nHost: " + host + ":" + port
                        + "\r\nAccept: application/json\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            }
            this.offset = offset;
            this.measureFrom = measureFrom;
            this.end = end;
            this.firstError = firstError;
        }

        @Override
        public void run() {
            try {
                for (int i = offset; ; i++) {
                    long t0 = System.nanoTime();
                    if (t0 >= end) break;
                    int status;
                    try {
                        status = send(requests[i % requests.length]);
                    } catch (IOException e) {
                        status = -1;
                        firstError.compareAndSet(null, e.toString());
                        closeQuietly();
                    }
                    long t1 = System.nanoTime();
                    if (t0 < measureFrom) continue;
                    if (status == 200) {
                        ok++;
                        record(t1 - t0);
                    } else {
                        errors++;
                        if (status > 0) {
                            String request = new String(requests[i % requests.length], StandardCharsets.US_ASCII);
                            firstError.compareAndSet(null,
                                    "HTTP " + status + " for " + request.lines().findFirst().orElse(""));
                        }
                    }
                }
            } finally {
                closeQuietly();
            }
        }

        private void record(long nanos) {
            if (samples == latencies.length) {
                if (samples >= MAX_SAMPLES) return;
                latencies = Arrays.copyOf(latencies, Math.min(MAX_SAMPLES, samples * 2));
            }
            latencies[samples++] = nanos;
        }

        /** Sends one request on the kept-alive connection (opening it if needed); returns the status. */
        private int send(byte[] request) throws IOException {
            if (socket == null) {
                socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(READ_TIMEOUT_MS);
                socket.connect(new InetSocketAddress(host, port), READ_TIMEOUT_MS);
                in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
                out = socket.getOutputStream();
            }
            out.write(request);
            out.flush();
            String statusLine = line();
            if (statusLine.length() < 12 || !statusLine.startsWith("HTTP/1.")) {
                throw new IOException("bad status line '" + statusLine + "'");
            }
            int status = Integer.parseInt(statusLine.substring(9, 12));
            long length = -1;
            boolean close = false;
            for (String h = line(); !h.isEmpty(); h = line()) {
                int colon = h.indexOf(':');
                if (colon < 0) continue;
                String name = h.substring(0, colon).trim();
                String value = h.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Content-Length")) {
                    length = Long.parseLong(value);
                } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
                    close = true;
                } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                    throw new IOException("chunked bodies are not expected");
                }
            }
            if (length < 0) throw new IOException("response without Content-Length");
            in.skipNBytes(length); // EOFException when the connection ends mid-body
            if (close) closeQuietly();
            return status;
        }

        private final StringBuilder line = new StringBuilder(128);

        private String line() throws IOException {
            line.setLength(0);
            while (true) {
                int b = in.read();
                if (b < 0) throw new IOException("connection closed by the server");
                if (b == '\n') break;
                if (b != '\r') line.append((char) b);
            }
            return line.toString();
        }

        private void closeQuietly() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // the connection is being dropped anyway
                }
            }
            socket = null;
        }
    }
}
