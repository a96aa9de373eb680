package io.reelrank.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The load of {@code reelrank bench rate}: {@code writers} closed-loop threads that each post a rating
 * as soon as the previous one was answered, for a given time, beside {@code readers} threads that
 * search meanwhile, and the latency distribution of both. With a rate (open loop, {@link #run(Actions, Actions,
 * int, int, int, int, int[], double, long, double)}), the writers instead post on a fixed schedule that
 * adds up to that many ratings per second, writer i at {@code start + (k·writers + i) / rate}, and a
 * rating's latency runs from its scheduled time, not from when it was sent: a writer still waiting for an
 * answer sends late, and the delay counts against every rating it holds up (no coordinated omission).
 * A rating goes to a user taken in turn from
 * {@code users} consecutive ids (a shared counter, so concurrent writers rarely rate as the same
 * user at once) on a movie drawn from the given ones, with a half-star rating; the draws of writer i
 * come from {@code seed + i}. What a rating or a search is (an HTTP request over one keep-alive
 * connection per thread, or a call in this process) is the caller's {@link Action}; {@link #http}
 * makes the HTTP ones. It stops by itself: the period has a deadline and every read a timeout.
 */
public final class RateBenchmark {

    /** A single request slower than this counts as an error and ends that thread's connection. */
    static final int READ_TIMEOUT_MS = 10_000;

    private RateBenchmark() {}

    /** One operation of a thread; returns 200 when it succeeded, another status (or throws) when not. */
    @FunctionalInterface
    public interface Action {
        int run(int user, int movie, double rating) throws Exception;
    }

    /** Makes one thread's action (each thread gets its own, e.g. its own connection); closed at the end. */
    public interface Actions {
        Action open(int thread) throws IOException;

        default void close(int thread) {}
    }

    /** What one side (writes or reads) did in the measured period. */
    public record Side(long ok, long errors, double seconds, Latencies latencies, String firstError) {
        public double perSecond() {
            return seconds > 0 ? ok / seconds : 0;
        }
    }

    /** Both sides of one period. */
    public record Result(Side writes, Side reads) {}

    /**
     * Runs {@code writers} rating threads and {@code readers} search threads for {@code seconds}
     * (writers may be 0: searches alone; readers may be 0).
     */
    public static Result run(Actions rate, Actions search, int writers, int readers, int firstUser, int users,
                             int[] movies, double seconds, long seed) throws InterruptedException {
        return run(rate, search, writers, readers, firstUser, users, movies, seconds, seed, 0);
    }

    /**
     * As {@link #run(Actions, Actions, int, int, int, int, int[], double, long)}, the writers together
     * offering {@code perSecond} ratings per second on a fixed schedule (open loop); 0: closed loop.
     */
    public static Result run(Actions rate, Actions search, int writers, int readers, int firstUser, int users,
                             int[] movies, double seconds, long seed, double perSecond) throws InterruptedException {
        return run(rate, search, writers, readers, firstUser, users, movies, seconds, seed, perSecond, 0);
    }

    /**
     * As {@link #run(Actions, Actions, int, int, int, int, int[], double, long, double)}, the readers
     * together offering {@code searchesPerSecond} searches per second on a fixed schedule (their latency
     * also from the scheduled time); 0: each reader searches as soon as its previous search is answered.
     */
    public static Result run(Actions rate, Actions search, int writers, int readers, int firstUser, int users,
                             int[] movies, double seconds, long seed, double perSecond, double searchesPerSecond)
            throws InterruptedException {
        if (perSecond < 0 || !Double.isFinite(perSecond)) {
            throw new IllegalArgumentException("rate must be a finite number >= 0, got " + perSecond);
        }
        if (searchesPerSecond < 0 || !Double.isFinite(searchesPerSecond)) {
            throw new IllegalArgumentException("search rate must be a finite number >= 0, got " + searchesPerSecond);
        }
        AtomicLong turn = new AtomicLong();
        List<Worker> ws = new ArrayList<>();
        for (int i = 0; i < writers; i++) ws.add(new Worker(rate, i, true, firstUser, users, movies, seed + i, turn));
        for (int i = 0; i < readers; i++) ws.add(new Worker(search, i, false, firstUser, users, movies, seed + 1000 + i,
                turn));
        // The clock starts when every client has its thread and its connection: their set-up is not measured.
        CountDownLatch ready = new CountDownLatch(ws.size());
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (Worker w : ws) {
            w.ready = ready;
            w.go = go;
            Thread t = new Thread(w, (w.write ? "bench-rate-" : "bench-search-") + w.index);
            t.start();
            threads.add(t);
        }
        ready.await();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        for (Worker w : ws) {
            w.end = end;
            double each = w.write ? perSecond : searchesPerSecond;
            if (each > 0) {
                w.interval = 1e9 * (w.write ? writers : readers) / each;
                w.start = start + (long) (1e9 * w.index / each);
            }
        }
        go.countDown();
        for (Thread t : threads) t.join();
        return new Result(side(ws, true, seconds), side(ws, false, seconds));
    }

    private static Side side(List<Worker> ws, boolean write, double seconds) {
        long ok = 0, errors = 0;
        String first = null;
        List<long[]> samples = new ArrayList<>();
        for (Worker w : ws) {
            if (w.write != write) continue;
            ok += w.ok;
            errors += w.errors;
            if (first == null) first = w.firstError.get();
            samples.add(Arrays.copyOf(w.latencies, w.samples));
        }
        Latencies lat = new Latencies();
        for (long[] s : samples) for (long v : s) lat.record(v);
        return new Side(ok, errors, seconds, lat, first);
    }

    private static final class Worker implements Runnable {
        final Actions actions;
        final int index;
        final boolean write;
        final int firstUser;
        final int users;
        final int[] movies;
        final Random rnd;
        final AtomicLong turn;
        // Set before go counts down (which publishes them to the worker's thread).
        CountDownLatch ready;
        CountDownLatch go;
        long end;
        final AtomicReference<String> firstError = new AtomicReference<>();
        long[] latencies = new long[1 << 14];
        int samples;
        /** Open loop: nanoseconds between this writer's scheduled ratings (0: closed loop), from {@link #start}. */
        double interval;
        long start;
        long ok;
        long errors;

        Worker(Actions actions, int index, boolean write, int firstUser, int users, int[] movies, long seed,
                AtomicLong turn) {
            this.actions = actions;
            this.index = index;
            this.write = write;
            this.firstUser = firstUser;
            this.users = users;
            this.movies = movies;
            this.rnd = new Random(seed);
            this.turn = turn;
        }

        @Override
        public void run() {
            Action a;
            try {
                a = actions.open(index);
            } catch (IOException e) {
                firstError.compareAndSet(null, e.toString());
                errors++;
                a = null;
            } finally {
                ready.countDown();
            }
            try {
                go.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (a == null) return;
            try {
                for (long k = 0; ; k++) {
                    long t0;
                    if (interval > 0) {
                        // The scheduled time; a late writer sends at once and the lateness counts.
                        t0 = start + (long) (k * interval);
                        // A writer still behind when the period ends sends no more: ratings/s is what was served.
                        if (t0 >= end || System.nanoTime() >= end) break;
                        for (long wait; (wait = t0 - System.nanoTime()) > 0; ) {
                            java.util.concurrent.locks.LockSupport.parkNanos(wait);
                        }
                    } else {
                        t0 = System.nanoTime();
                        if (t0 >= end) break;
                    }
                    int user = firstUser + (int) (turn.getAndIncrement() % users);
                    int movie = movies[rnd.nextInt(movies.length)];
                    double rating = (1 + rnd.nextInt(10)) / 2.0;
                    int status;
                    try {
                        status = a.run(user, movie, rating);
                    } catch (Exception e) {
                        status = -1;
                        firstError.compareAndSet(null, e.toString());
                    }
                    long t1 = System.nanoTime();
                    if (status == 200) {
                        ok++;
                        if (samples == latencies.length) latencies = Arrays.copyOf(latencies, samples * 2);
                        latencies[samples++] = t1 - t0;
                    } else {
                        errors++;
                        if (status > 0) firstError.compareAndSet(null, "HTTP " + status);
                    }
                }
            } finally {
                actions.close(index);
            }
        }
    }

    /**
     * HTTP actions against {@code base}: each thread keeps one connection; a rating is
     * {@code POST /api/users/{user}/ratings} with {@code {"movie_id", "rating"}}, a search is
     * {@code GET} of the next of {@code searchPaths} (the thread's own rotation). {@code bearer}, when
     * not null, is sent as {@code Authorization: Bearer}.
     */
    public static Actions http(URI base, boolean write, List<String> searchPaths, String bearer) {
        return new Actions() {
            final KeepAliveConnection[] connections = new KeepAliveConnection[256];

            @Override
            public Action open(int thread) throws IOException {
                KeepAliveConnection c = new KeepAliveConnection(base.getHost(), base.getPort(), READ_TIMEOUT_MS);
                connections[thread] = c;
                c.connect();
                int[] next = {thread * 7};
                String auth = bearer == null ? "" : "Authorization: Bearer " + bearer + "\r\n";
                String host = "Host: " + base.getHost() + ":" + base.getPort() + "\r\n";
                if (write) {
                    return (user, movie, rating) -> {
                        byte[] body = String.format(Locale.ROOT, "{\"movie_id\": %d, \"rating\": %.1f}", movie, rating)
                                .getBytes(StandardCharsets.US_ASCII);
                        byte[] head = ("POST /api/users/" + user + "/ratings HTTP/1.1\r\n" + host + auth
                                + "Content-Type: application/json\r\nAccept: application/json\r\nContent-Length: "
                                        + body.length
                                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                        return c.send(head, body);
                    };
                }
                return (user, movie, rating) -> {
                    String path = searchPaths.get(next[0]++ % searchPaths.size());
                    return c.send(("GET " + path + " HTTP/1.1\r\n" + host + auth + "Accept: application/json\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII), new byte[0]);
                };
            }

            @Override
            public void close(int thread) {
                KeepAliveConnection c = connections[thread];
                if (c != null) c.close();
            }
        };
    }
}
