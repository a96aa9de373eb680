package io.reelrank.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A closed-loop load generator for the HTTP API: {@code clients} threads, each on one keep-alive
 * connection, send GET requests for the given paths in turn (each thread starting at a different
 * offset) as fast as the answers come, for a warm-up and then a measured period, and report
 * requests/s and latency percentiles of the measured period. The periods are either timed
 * ({@link #run}, what {@code bench http} runs) or counted ({@link #runCounted}: a fixed number of
 * requests per client, however long they take, so the work done does not depend on how busy the
 * machine is). It speaks just enough HTTP/1.1 over a plain socket (request line, Host,
 * Content-Length bodies) that the client's own cost stays small beside the server's. It stops by
 * itself: each period has a deadline or a count, and every read a timeout.
 */
public final class HttpBenchmark {

    /** A single request slower than this counts as an error and ends that client's connection. */
    static final int READ_TIMEOUT_MS = 10_000;
    /** Latencies kept per client; past it the client stops recording (not sending), bounding memory. */
    static final int MAX_SAMPLES = 20_000_000;
    /** Requests per client a counted run may ask for, in each period. */
    static final int MAX_COUNT = 1_000_000;

    private HttpBenchmark() {}

    /**
     * The measured period: requests answered 200, the others, its length in seconds (the timed run's
     * period, or the counted run's wall time from its first measured request to its last answer) and
     * latency percentiles in ms.
     */
    public record Stats(int clients, long requests, long errors, double seconds, double p50Ms, double p90Ms,
                        double p99Ms, double p999Ms, double maxMs, String firstError) {
        public double requestsPerSecond() {
            return seconds > 0 ? requests / seconds : 0;
        }
    }

    /** A timed run: each client sends for {@code warmupSeconds} unmeasured, then for {@code seconds} measured. */
    public static Stats run(URI base, List<String> paths, int clients, double warmupSeconds, double seconds)
            throws InterruptedException {
        check(paths, clients);
        if (!(seconds > 0 && seconds <= 3600)) {
            throw new IllegalArgumentException("seconds must be in (0, 3600], got " + seconds);
        }
        if (!(warmupSeconds >= 0 && warmupSeconds <= 600)) {
            throw new IllegalArgumentException("warm-up seconds must be in 0-600, got " + warmupSeconds);
        }
        long measureFrom = System.nanoTime() + (long) (warmupSeconds * 1e9);
        Stats s = run(base, paths, clients, new Schedule(measureFrom, measureFrom + (long) (seconds * 1e9), 0, -1));
        return new Stats(clients, s.requests(), s.errors(), seconds, s.p50Ms(), s.p90Ms(), s.p99Ms(), s.p999Ms(),
                s.maxMs(), s.firstError());
    }

    /**
     * A counted run: each client sends {@code warmupRequests} unmeasured requests, then {@code requests}
     * measured ones, however long they take (every read still has its timeout).
     */
    public static Stats runCounted(URI base, List<String> paths, int clients, int warmupRequests, int requests)
            throws InterruptedException {
        check(paths, clients);
        if (requests < 1 || requests > MAX_COUNT) {
            throw new IllegalArgumentException("requests must be in 1-" + MAX_COUNT + ", got " + requests);
        }
        if (warmupRequests < 0 || warmupRequests > MAX_COUNT) {
            throw new IllegalArgumentException(
                    "warm-up requests must be in 0-" + MAX_COUNT + ", got " + warmupRequests);
        }
        return run(base, paths, clients, new Schedule(0, 0, warmupRequests, requests));
    }

    private static void check(List<String> paths, int clients) {
        if (paths.isEmpty()) throw new IllegalArgumentException("paths must not be empty");
        if (clients < 1 || clients > 64) throw new IllegalArgumentException("clients must be in 1-64, got " + clients);
    }

    /**
     * When a client measures and when it stops: by the clock (measured from {@code measureFrom}, done at
     * {@code end}, both {@code System.nanoTime()} readings) when {@code requests} is negative, else by
     * count ({@code warmupRequests} unmeasured requests, then {@code requests} measured ones).
     */
    private record Schedule(long measureFrom, long end, int warmupRequests, int requests) {
        boolean counted() {
            return requests >= 0;
        }

        /** Whether the client, having sent {@code sent} requests, is done at {@code now}. */
        boolean done(int sent, long now) {
            return counted() ? sent >= warmupRequests + requests : now >= end;
        }

        /** Whether the request sent as number {@code sent} (from 0), started at {@code startedAt}, is measured. */
        boolean measured(int sent, long startedAt) {
            return counted() ? sent >= warmupRequests : startedAt >= measureFrom;
        }
    }

    private static Stats run(URI base, List<String> paths, int clients, Schedule schedule) throws InterruptedException {
        Client[] cs = new Client[clients];
        Thread[] threads = new Thread[clients];
        AtomicReference<String> firstError = new AtomicReference<>();
        for (int i = 0; i < clients; i++) {
            cs[i] = new Client(base, paths, i * paths.size() / clients, schedule, firstError);
            threads[i] = new Thread(cs[i], "bench-http-client-" + i);
            threads[i].start();
        }
        for (Thread t : threads) t.join();
        long total = 0, errors = 0;
        long firstStart = Long.MAX_VALUE, lastEnd = Long.MIN_VALUE;
        Latencies all = new Latencies();
        for (Client c : cs) {
            total += c.ok;
            errors += c.errors;
            firstStart = Math.min(firstStart, c.firstMeasuredStart);
            lastEnd = Math.max(lastEnd, c.lastMeasuredEnd);
            for (int i = 0; i < c.samples; i++) all.record(c.latencies[i]);
        }
        double seconds = lastEnd > firstStart ? (lastEnd - firstStart) / 1e9 : 0;
        return new Stats(clients, total, errors, seconds, all.ms(0.50), all.ms(0.90), all.ms(0.99), all.ms(0.999),
                all.maxMs(), firstError.get());
    }

    private static final class Client implements Runnable {
        private final String host;
        private final int port;
        private final byte[][] requests;
        private final int offset;
        private final Schedule schedule;
        private final AtomicReference<String> firstError;
        long[] latencies = new long[1 << 16];
        int samples;
        long ok;
        long errors;
        /** When the first measured request started and the last measured answer came (nanoTime). */
        long firstMeasuredStart = Long.MAX_VALUE;
        long lastMeasuredEnd = Long.MIN_VALUE;
        private final KeepAliveConnection connection;

        Client(URI base, List<String> paths, int offset, Schedule schedule, AtomicReference<String> firstError) {
            this.host = base.getHost();
            this.port = base.getPort();
            this.requests = new byte[paths.size()][];
            for (int i = 0; i < paths.size(); i++) {
                requests[i] = ("GET " + paths.get(i) + " HTTP/1.1\r\nHost: " + host + ":" + port
                        + "\r\nAccept: application/json\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            }
            this.connection = new KeepAliveConnection(host, port, READ_TIMEOUT_MS);
            this.offset = offset;
            this.schedule = schedule;
            this.firstError = firstError;
        }

        @Override
        public void run() {
            try {
                for (int i = offset; ; i++) {
                    long t0 = System.nanoTime();
                    if (schedule.done(i - offset, t0)) break;
                    int status;
                    try {
                        status = connection.send(requests[i % requests.length]);
                    } catch (IOException e) {
                        status = -1;
                        firstError.compareAndSet(null, e.toString());
                        closeQuietly();
                    }
                    long t1 = System.nanoTime();
                    if (!schedule.measured(i - offset, t0)) continue;
                    firstMeasuredStart = Math.min(firstMeasuredStart, t0);
                    lastMeasuredEnd = t1;
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

        private void closeQuietly() {
            connection.close();
        }
    }
}
