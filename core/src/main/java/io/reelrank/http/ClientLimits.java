package io.reelrank.http;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * What each client may cost the server: one token bucket per client, holding up to {@code burst} cost
 * units and refilled at {@code rate} units per second. A request takes its cost from its client's bucket
 * before it runs ({@link #take}); a client whose bucket cannot pay is refused with 429 and told in
 * {@code Retry-After} when it could be paid, so one client sending expensive queries (wildcards,
 * hundreds of terms) uses up its own share and not the others'. A request dearer than a whole bucket
 * runs when the bucket is full and leaves it in debt, so every allowed query stays possible, just not
 * often. A client is the hash of the {@code Authorization} header it sends, or its remote address when
 * it sends none. Costs are units of work ({@link #searchCost}): deterministic, so the same request costs
 * the same on any machine. Buckets of clients gone quiet are forgotten once they are full again. The
 * caller charges each request once, before the work.
 */
final class ClientLimits {

    /** Units every routed request costs (reading a movie, a user, the genres): the work of a plain search term. */
    static final long BASE_COST = 1;
    /** Units a rating POST costs beyond the base: one transaction and its follow-ups, about 10 searches' work. */
    static final long WRITE_COST = 20;
    /**
     * Units one clause that matches many terms (prefix, wildcard, fuzzy, regular expression, range) costs
     * per field it searches: it expands to hundreds of terms at search time; a plain term costs 1.
     */
    static final long MULTI_TERM_COST = 250;
    /** Re-ranked candidates per unit: the default 100 candidates cost 1 unit beside the query. */
    static final int CANDIDATES_PER_UNIT = 100;
    /**
     * Default refill in units per second: thousands of plain searches a second (more than twice what
     * {@code bench http} sends from one address), one query of 208 prefixes every 2.6 s.
     */
    static final double DEFAULT_RATE = 40_000;
    /**
     * Default bucket size in units: 10,000 plain searches, or one query of 208 prefixes (104,001 units,
     * which needs a full bucket and leaves a debt); so one client runs at most one such query at once.
     */
    static final double DEFAULT_BURST = 100_000;
    /** More clients than this are not tracked at once: a full map first drops buckets already full. */
    static final int MAX_CLIENTS = 100_000;

    private final double rate;
    private final double burst;
    private final LongSupplier clock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** {@code rate} units per second, {@code burst} units at most; rate 0 turns the limit off. */
    ClientLimits(double rate, double burst) {
        this(rate, burst, System::nanoTime);
    }

    ClientLimits(double rate, double burst, LongSupplier nanoClock) {
        this.rate = rate;
        this.burst = burst;
        this.clock = nanoClock;
    }

    boolean enabled() {
        return rate > 0;
    }

    double rate() {
        return rate;
    }

    double burst() {
        return burst;
    }

    /**
     * Takes {@code cost} units from {@code client}'s bucket; returns 0 when taken, else the whole seconds
     * (at least 1) after which the bucket could pay it.
     */
    long take(String client, long cost) {
        if (!enabled()) return 0;
        if (buckets.size() >= MAX_CLIENTS) forgetFullBuckets();
        Bucket b = buckets.computeIfAbsent(client, k -> new Bucket(burst, clock.getAsLong()));
        synchronized (b) {
            long now = clock.getAsLong();
            b.tokens = Math.min(burst, b.tokens + (now - b.at) / 1e9 * rate);
            b.at = now;
            double needed = Math.min(cost, burst);
            if (b.tokens >= needed) {
                b.tokens -= cost;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((needed - b.tokens) / rate));
        }
    }

    private void forgetFullBuckets() {
        long now = clock.getAsLong();
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
            Bucket b = it.next();
            synchronized (b) {
                if (b.tokens + (now - b.at) / 1e9 * rate >= burst) it.remove();
            }
        }
    }

    /**
     * The client a request is charged to: {@code key:} and the key id of a key the server already knows
     * to be live ({@link Guard#knownKeyId}: a key it has authenticated before), else {@code addr:} and
     * the remote address. An unknown, made-up or not yet seen key is charged to its address, so sending
     * a new {@code Authorization} header with every request buys no new share.
     */
    static String client(String knownKeyId, String remoteAddress) {
        return knownKeyId != null ? "key:" + knownKeyId : "addr:" + remoteAddress;
    }

    /**
     * A search's cost beyond {@link #BASE_COST}: {@code termClauses} (one per plain term and field),
     * {@link #MULTI_TERM_COST} per multi-term clause and field, and one unit per {@link #CANDIDATES_PER_UNIT}
     * candidates re-ranked (when personalized).
     */
    static long searchCost(long termClauses, long multiTermClauses, int candidates, boolean personalized) {
        long rerank = personalized ? (candidates + CANDIDATES_PER_UNIT - 1) / CANDIDATES_PER_UNIT : 0;
        return termClauses + MULTI_TERM_COST * multiTermClauses + rerank;
    }

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }
}
