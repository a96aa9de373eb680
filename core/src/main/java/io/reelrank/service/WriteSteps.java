package io.reelrank.service;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where the time of rating writes goes: the wall time of each named step of the write path, summed
 * over every transaction this process ran, with the number of transactions and of ratings they wrote.
 * {@link RatingService} records into the process's one instance ({@link #PROCESS}), so a benchmark
 * reads it whichever service instance did the work (the HTTP server's included); steps keep the
 * order in which they were first recorded. Thread-safe; {@link #reset} before a measured period.
 */
public final class WriteSteps {

    /** The figures of every rating write of this process. */
    public static final WriteSteps PROCESS = new WriteSteps();

    /** One step: how many times it ran and its total wall time. */
    public record Step(String name, long count, double totalMs) {}

    /** The steps so far, the transactions (batches) and the ratings they wrote. */
    public record Snapshot(List<Step> steps, long batches, long ratings) {

        /** The mean ratings per transaction (0 without any). */
        public double meanBatch() {
            return batches == 0 ? 0 : (double) ratings / batches;
        }
    }

    private final Map<String, LongAdder[]> steps = new LinkedHashMap<>();
    private final LongAdder batches = new LongAdder();
    private final LongAdder ratings = new LongAdder();

    /** Adds {@code nanos} of wall time to {@code step}. */
    public void add(String step, long nanos) {
        LongAdder[] s;
        synchronized (steps) {
            s = steps.computeIfAbsent(step, k -> new LongAdder[] {new LongAdder(), new LongAdder()});
        }
        s[0].increment();
        s[1].add(nanos);
    }

    /** One transaction that wrote {@code n} ratings committed. */
    public void batch(int n) {
        batches.increment();
        ratings.add(n);
    }

    public Snapshot snapshot() {
        List<Step> out = new ArrayList<>();
        synchronized (steps) {
            for (Map.Entry<String, LongAdder[]> e : steps.entrySet()) {
                out.add(new Step(e.getKey(), e.getValue()[0].sum(), e.getValue()[1].sum() / 1e6));
            }
        }
        return new Snapshot(out, batches.sum(), ratings.sum());
    }

    public void reset() {
        synchronized (steps) {
            steps.clear();
        }
        batches.reset();
        ratings.reset();
    }

    /** A stopwatch over the steps of one transaction: {@link #lap} records the time since the last lap. */
    public Timer timer() {
        return new Timer();
    }

    /** See {@link #timer}. Used by one thread. */
    public final class Timer {
        private long last = System.nanoTime();

        public void lap(String step) {
            long now = System.nanoTime();
            add(step, now - last);
            last = now;
        }
    }
}
