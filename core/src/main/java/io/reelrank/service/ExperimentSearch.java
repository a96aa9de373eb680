package io.reelrank.service;

import io.reelrank.feedback.TeamDraft;
import io.reelrank.index.QuerySyntaxException;
import io.reelrank.rank.FeatureSet;
import io.reelrank.rerank.PersonalizedSearch;
import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Serves a search inside the running experiment ({@link Experiments.Follower#running}) and makes its
 * request log entry, which records the experiment and, per shown position, the arm that placed the
 * movie ({@link #ARM_A}, {@link #ARM_B}): the server's own record that the report credits clicks by
 * (docs/experiments.md). A search joins the experiment when it has a user and names no fusion (a client
 * that names one asked for that ranking). Under interleaving, both arms rank the same retrieval's
 * candidates, each by its own ranker, {@code 2·limit} deep, and {@link TeamDraft#interleave} merges them
 * into {@code limit} results with a random source seeded by the request id's 96 random bits, so the
 * merge of a logged request can be replayed. Under A/B, the user's bucket ({@link #bucket}) picks one
 * arm's ranking. Outside an experiment it is the plain search. The caller logs {@link Answer#entry}
 * once it has answered.
 */
public final class ExperimentSearch {

    /** The request log's code of arm A in {@code arms}. */
    public static final short ARM_A = 0;
    /** The request log's code of arm B. */
    public static final short ARM_B = 1;
    /** The request log's ranker of an interleaved answer (its per-position arms say which ranked what). */
    public static final String INTERLEAVED = "interleaved";

    /**
     * The answer: the search response (under interleaving the merged results, ranks 1..n, each the
     * placing arm's result, and the metadata of arm A's response), the experiment's id and each result's
     * arm ("A" or "B"), both null outside an experiment, and the request log entry.
     */
    public record Answer(PersonalizedSearch.Response response, Integer experiment, List<String> arms,
                         Experiments.Kind kind, RequestLog.Entry entry) {}

    private ExperimentSearch() {}

    /** Answers {@code r} under experiment {@code x} (null: none) as the class comment says. */
    public static Answer search(PersonalizedSearch search, Experiments.Experiment x, PersonalizedSearch.Request r,
                                boolean fusionNamed, String requestId, long servedAtMicros)
            throws QuerySyntaxException, IOException, SQLException, PersonalizedSearch.UnknownUserException {
        if (x == null || r.user() == null || fusionNamed) {
            PersonalizedSearch.Response plain = search.search(r);
            return new Answer(plain, null, null, null, RequestLog.search(requestId, servedAtMicros, plain));
        }
        if (x.kind() == Experiments.Kind.AB) {
            boolean b = bucket(x.id(), r.user()) == ARM_B;
            Experiments.Arm arm = b ? x.b() : x.a();
            PersonalizedSearch.Response res = rank(search, arm, r, r.limit(), requestId);
            short[] codes = new short[res.results().size()];
            java.util.Arrays.fill(codes, b ? ARM_B : ARM_A);
            RequestLog.Entry e = RequestLog.search(requestId, servedAtMicros, res);
            return new Answer(res, x.id(), letters(codes), x.kind(), withExperiment(e, e.ranker(), e.rankerVersion(),
                    x.id(), codes));
        }
        int depth = Math.min(2 * r.limit(), io.reelrank.index.MovieSearcher.MAX_LIMIT);
        PersonalizedSearch.Response ra = rank(search, x.a(), r, depth, requestId);
        PersonalizedSearch.Response rb = rank(search, x.b(), r, depth, requestId);
        TeamDraft.Interleaving il = TeamDraft.interleave(ids(ra), ids(rb), r.limit(), random(requestId));
        Map<Integer, Integer> inA = positions(ra);
        Map<Integer, Integer> inB = positions(rb);
        List<PersonalizedSearch.Result> merged = new ArrayList<>(il.size());
        short[] codes = new short[il.size()];
        boolean features = ra.servedFeatures() != null && rb.servedFeatures() != null;
        float[] served = features ? new float[il.size() * FeatureSet.WIDTH] : null;
        for (int i = 0; i < il.size(); i++) {
            boolean a = il.arms()[i] == TeamDraft.Arm.A;
            PersonalizedSearch.Response from = a ? ra : rb;
            int at = (a ? inA : inB).get(il.movies()[i]);
            PersonalizedSearch.Result h = from.results().get(at);
            merged.add(new PersonalizedSearch.Result(i + 1, h.movieId(), h.title(), h.year(), h.genres(), h.bm25(),
                    h.bm25Rank(), h.similarity(), h.collaborative(), h.ratingCount(), h.score(), h.hasEmbedding(),
                    "arm " + (a ? "A (" + x.a() + ")" : "B (" + x.b() + ")") + ", its rank " + h.rank() + ": "
                            + h.explanation(), h.retriever(), h.retrievalRank(), h.semanticRank(), h.semanticScore(),
                    h.reasons()));
            codes[i] = a ? ARM_A : ARM_B;
            if (features) {
                System.arraycopy(from.servedFeatures(), at * FeatureSet.WIDTH, served, i * FeatureSet.WIDTH,
                        FeatureSet.WIDTH);
            }
        }
        PersonalizedSearch.Response res = new PersonalizedSearch.Response(ra.query(), ra.user(), ra.personalized(),
                ra.coldUser(), ra.fusion(), ra.weights(), ra.candidates(), ra.totalMatches(), ra.modelVersion(),
                ra.hasCollaborative(), merged, ra.retrieval(), ra.didYouMean(), 0, "interleaved (experiment " + x.id()
                + ", team draft): A = " + x.a() + ", B = " + x.b(), served);
        RequestLog.Entry e = RequestLog.search(requestId, servedAtMicros, res);
        return new Answer(res, x.id(), letters(codes), x.kind(), withExperiment(e, INTERLEAVED, null, x.id(), codes));
    }

    /**
     * Arm {@code arm}'s first {@code depth} results for {@code r}: its own ranking, or for the random
     * arm every candidate in the retrieval's order, shuffled (Fisher-Yates) by a source seeded by the
     * request id's random part and the constant {@link #SHUFFLE}, then cut to {@code depth}.
     */
    static PersonalizedSearch.Response rank(PersonalizedSearch search, Experiments.Arm arm,
                                            PersonalizedSearch.Request r, int depth, String requestId)
            throws QuerySyntaxException, IOException, SQLException, PersonalizedSearch.UnknownUserException {
        if (!arm.random()) return search.search(arm.request(r).withLimit(depth), arm.rankerVersion());
        PersonalizedSearch.Response all = search.search(arm.request(r).withLimit(Math.max(depth, r.candidates())));
        List<PersonalizedSearch.Result> shuffled = new ArrayList<>(all.results());
        SplittableRandom rnd = new SplittableRandom(
                Long.parseUnsignedLong(requestId.substring(16), 16) ^ SHUFFLE);
        for (int i = shuffled.size() - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            PersonalizedSearch.Result t = shuffled.get(i);
            shuffled.set(i, shuffled.get(j));
            shuffled.set(j, t);
        }
        List<PersonalizedSearch.Result> out = new ArrayList<>(Math.min(depth, shuffled.size()));
        for (int i = 0; i < Math.min(depth, shuffled.size()); i++) {
            PersonalizedSearch.Result h = shuffled.get(i);
            out.add(new PersonalizedSearch.Result(i + 1, h.movieId(), h.title(), h.year(), h.genres(), h.bm25(),
                    h.bm25Rank(), h.similarity(), h.collaborative(), h.ratingCount(), h.score(), h.hasEmbedding(),
                    "random order (the experiment's control); " + h.explanation(), h.retriever(), h.retrievalRank(),
                    h.semanticRank(), h.semanticScore(), h.reasons()));
        }
        return new PersonalizedSearch.Response(all.query(), all.user(), all.personalized(), all.coldUser(),
                all.fusion(), all.weights(), all.candidates(), all.totalMatches(), all.modelVersion(),
                all.hasCollaborative(), out, all.retrieval(), all.didYouMean(), 0,
                "random order: the experiment's control arm", null);
    }

    /** Mixed into the random arm's seed, so its shuffle is not the interleaving's coin flips. */
    static final long SHUFFLE = 0x5DEECE66DL;

    /**
     * The A/B bucket of {@code user} in experiment {@code experiment}: {@link #ARM_A} or {@link #ARM_B},
     * the low bit of SplitMix64's finaliser (Steele, Lea &amp; Flood, OOPSLA 2014) over
     * {@code experiment·2³² + user}: a user stays in one bucket for the whole experiment, and another
     * experiment splits the users afresh.
     */
    public static short bucket(int experiment, int user) {
        long z = ((long) experiment << 32) + (user & 0xffffffffL);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (short) (z & 1);
    }

    /** The interleaving's random source of a request: seeded by the id's last 16 hex digits (its random part). */
    public static SplittableRandom random(String requestId) {
        return new SplittableRandom(Long.parseUnsignedLong(requestId.substring(16), 16));
    }

    private static RequestLog.Entry withExperiment(RequestLog.Entry e, String ranker, Integer rankerVersion,
                                                   int experiment, short[] arms) {
        return new RequestLog.Entry(e.requestId(), e.servedAtMicros(), e.user(), e.kind(), e.query(), ranker,
                rankerVersion, e.modelVersion(), experiment, arms, e.movieIds(), e.featureNames(), e.features());
    }

    private static List<String> letters(short[] codes) {
        List<String> out = new ArrayList<>(codes.length);
        for (short c : codes) out.add(c == ARM_A ? "A" : "B");
        return out;
    }

    private static int[] ids(PersonalizedSearch.Response r) {
        int[] out = new int[r.results().size()];
        for (int i = 0; i < out.length; i++) out[i] = r.results().get(i).movieId();
        return out;
    }

    private static Map<Integer, Integer> positions(PersonalizedSearch.Response r) {
        Map<Integer, Integer> out = new HashMap<>();
        for (int i = 0; i < r.results().size(); i++) out.put(r.results().get(i).movieId(), i);
        return out;
    }
}
