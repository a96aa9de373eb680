package io.reelrank.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.TestDatabase;
import io.reelrank.cli.Run;
import io.reelrank.db.Database;
import io.reelrank.db.ScratchDatabase;
import io.reelrank.eval.SearchRankerTraining;
import io.reelrank.feedback.ClickJudgments;
import io.reelrank.generate.MovieLensGenerator;
import io.reelrank.http.ApiServer;
import io.reelrank.index.MovieIndex;
import io.reelrank.index.MovieSearcher;
import io.reelrank.ingest.MovieLensLoader;
import io.reelrank.model.ItemVectors;
import io.reelrank.rank.Ranker;
import io.reelrank.rank.RankerStore;
import io.reelrank.rank.RankerTrainer;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.service.ClickTraining;
import io.reelrank.service.RankerTraining;
import io.reelrank.service.Training;
import io.reelrank.user.UserTower;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training the search ranker from clicks ({@link ClickTraining}) on sessions logged through the
 * product's own paths: a set of 10,000 ratings written by the generator (seed 5) in a database of its
 * own (the shared sample is never touched, and no other test class can change what is served here), a
 * collaborative model and a learned ranker trained on its ratings by this class, served by a real
 * {@link ApiServer}; the simulated audience asks for the learned fusion by name, so every answer is
 * this class's ranker's, and posts its impressions and clicks to the events API. The judgments come
 * from the request log and the events; the click-trained ranker is then measured against the
 * audience's latent truth on the held-out users' (user, query) groups: it must order what was shown by
 * what the audience likes better than BM25's order, a random order and the served ranker do.
 */
@Tag("integration")
class ClickTrainingTest {

    @TempDir
    static Path tmp;

    private static ScratchDatabase scratch;
    private static Database db;
    private static ApiServer server;
    private static PersonalizedSearch search;
    private static LatentTruth truth;
    private static String url;
    private static long servedVersion;
    private static Path index;

    @BeforeAll
    static void serveAGeneratedSetAndPlayAnAudience() throws Exception {
        Path set = tmp.resolve("set");
        MovieLensGenerator.write(new MovieLensGenerator.Options(10_000, null, null, null, 5, TestDatabase.SAMPLE,
                false), set, false, MovieLensGenerator.Listener.NONE);
        scratch = new ScratchDatabase(TestDatabase.get(), "clicks");
        db = scratch.database();
        MovieLensLoader.load(db, set, MovieLensLoader.Options.defaults(), MovieLensLoader.Listener.NONE);
        int threads = Runtime.getRuntime().availableProcessors();
        Training.run(db, new Training.Options(List.of(TestDatabase.MODEL), threads, UserTower.DEFAULT_SHRINKAGE),
                Training.Listener.NONE);
        index = tmp.resolve("index");
        MovieIndex.rebuild(db, index);
        RankerTraining.Options o = new RankerTraining.Options(List.of(SearchRankerTraining.DEFAULT), List.of(),
                4_000, SearchRankerTraining.DEFAULT.params().seed(), threads, index);
        servedVersion = Training.rankerOnly(db, new Training.Options(List.of(TestDatabase.MODEL), threads,
                UserTower.DEFAULT_SHRINKAGE).withRanker(o), Training.Listener.NONE).version();
        search = new PersonalizedSearch(db, MovieSearcher.open(index), ItemVectors.load(db, true));
        search.listen();
        search.awaitCurrent(60_000);
        server = ApiServer.start(ApiServer.Options.loopback(), db, search);
        url = db.settings().url() + "?user=" + db.settings().user() + "&password=" + db.settings().password();
        truth = LatentTruth.read(set);
        // as a user runs it: no ratings (the server shows the same for the whole run), the learned fusion by name
        Run sim = Run.of(List.of("simulate"), "--url", server.uri().toString(), "--data-dir", set.toString(),
                "--users", "60", "--sessions", "1500", "--seed", "17", "--rate-probability", "0", "--fusion",
                "learned");
        assertEquals(0, sim.code(), sim.err() + sim.out());
        server.requestLog().flush(30_000);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        if (search != null) search.close();
        if (scratch != null) scratch.close();
    }

    private static ClickTraining.Options options(boolean debias) {
        return new ClickTraining.Options(debias, ClickJudgments.DEFAULT_MIN_PROPENSITY, null, 42);
    }

    /** Mean latent NDCG@10 over the held-out groups of each order: served, BM25's, random, and each ranker's. */
    private static Map<String, Double> latent(List<ClickTraining.Held> held, Map<String, Ranker> rankers) {
        Map<String, Double> sums = new LinkedHashMap<>();
        SplittableRandom random = new SplittableRandom(3);
        int n = 0;
        for (ClickTraining.Held h : held) {
            LatentTruth.User u = truth.user(h.user());
            int m = h.movies().length;
            n++;
            sums.merge("served", truth.ndcg(u, h.movies(), h.movies(), 10), Double::sum);
            Integer[] byBm25 = new Integer[m];
            for (int i = 0; i < m; i++) byBm25[i] = i;
            int rankCol = io.reelrank.rank.Feature.BM25_RANK.ordinal();
            int w = io.reelrank.rank.FeatureSet.WIDTH;
            java.util.Arrays.sort(byBm25, (a, b) -> Float.compare(h.rows()[a * w + rankCol], h.rows()[b * w + rankCol]));
            sums.merge("bm25", truth.ndcg(u, pick(h.movies(), byBm25), h.movies(), 10), Double::sum);
            Integer[] shuffled = new Integer[m];
            for (int i = 0; i < m; i++) shuffled[i] = i;
            for (int i = m - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                Integer x = shuffled[i];
                shuffled[i] = shuffled[j];
                shuffled[j] = x;
            }
            sums.merge("random", truth.ndcg(u, pick(h.movies(), shuffled), h.movies(), 10), Double::sum);
            for (Map.Entry<String, Ranker> e : rankers.entrySet()) {
                double[] s = e.getValue().score(h.rows(), m);
                Integer[] order = new Integer[m];
                for (int i = 0; i < m; i++) order[i] = i;
                java.util.Arrays.sort(order, (a, b) -> a.equals(b) ? 0 : s[a] != s[b] ? Double.compare(s[b], s[a])
                        : Integer.compare(h.movies()[a], h.movies()[b]));
                sums.merge(e.getKey(), truth.ndcg(u, pick(h.movies(), order), h.movies(), 10), Double::sum);
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (var e : sums.entrySet()) out.put(e.getKey(), e.getValue() / n);
        return out;
    }

    private static int[] pick(int[] movies, Integer[] order) {
        int[] out = new int[order.length];
        for (int i = 0; i < order.length; i++) out[i] = movies[order[i]];
        return out;
    }

    @Test
    void aRankerTrainedOnTheLoggedClicksOrdersByWhatTheAudienceLikes() throws Exception {
        List<String> lines = new ArrayList<>();
        ClickTraining.Prepared p = ClickTraining.prepare(db, options(true), lines::add);
        assertTrue(p.log().sessions().size() >= 1_400, "sessions read back: " + p.log().sessions().size());
        assertEquals(0, p.log().withoutImpression(), "every answer's impression was posted");
        assertTrue(lines.get(1).startsWith("position-based click model fitted per query on "), lines.toString());
        // the audience examines position r with probability 1/r: the fitted propensities fall with the position
        double[] prop = p.model().propensities();
        assertEquals(1.0, prop[0], 1e-12);
        assertTrue(prop[2] < prop[0] && prop[9] < prop[2], java.util.Arrays.toString(prop));
        RankerStore.Active served;
        try (Connection c = db.connect()) {
            served = RankerStore.load(c, servedVersion); // this class's, whichever test trained since
        }
        ClickTraining.Outcome o = ClickTraining.train(db, options(true), p, SearchRankerTraining.DEFAULT.params(), 2,
                lines::add);
        Ranker debiased;
        try (Connection c = db.connect()) {
            RankerStore.Active now = RankerStore.active(c, RankerStore.SEARCH);
            assertEquals(o.version(), now.version().version(), "the click-trained ranker is the active one");
            assertEquals("clicks", now.version().params().get("judgments").asText());
            assertNotNull(now.version().validation().get("propensities"));
            debiased = now.ranker();
        }
        ClickTraining.Prepared raw = ClickTraining.prepare(db, options(false), s -> { });
        Ranker notDebiased = RankerTrainer.train(raw.fit().withLabels(raw.rates()), SearchRankerTraining.FEATURES,
                SearchRankerTraining.DEFAULT.params(), 2, false);
        Map<String, Ranker> rankers = new LinkedHashMap<>();
        rankers.put("served ranker", served.ranker());
        rankers.put("clicks", debiased);
        rankers.put("clicks, not debiased", notDebiased);
        Map<String, Double> ndcg = latent(p.held(), rankers);
        StringBuilder b = new StringBuilder();
        ndcg.forEach((k, v) -> b.append(String.format(Locale.ROOT, "%s %.4f; ", k, v)));
        b.append(o.figures());
        System.out.println("latent NDCG@10 on " + p.held().size() + " held-out groups: " + b);
        assertTrue(ndcg.get("clicks") > ndcg.get("random") + 0.02, b.toString());
        assertTrue(ndcg.get("clicks") > ndcg.get("bm25") + 0.02, b.toString());
        // what the audience clicked taught more of its taste than the ratings taught the served ranker
        assertTrue(ndcg.get("clicks") > ndcg.get("served ranker"), b.toString());
        assertTrue(ndcg.get("clicks, not debiased") > ndcg.get("random") + 0.02, b.toString());
    }

    @Test
    void theCommandTrainsFromClicksAndPrintsThePropensitiesAndTheComparison() throws Exception {
        Run r = Run.of(List.of("train"), "--db-url=" + url, "--judgments-from", "clicks", "--min-propensity", "0.1");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("position-based click model fitted per query on "), r.out());
        assertTrue(r.out().contains(" 1: 1.000 ("), r.out());
        assertTrue(r.out().contains("inverse-propensity-weighted click rates, τ = 0.1"), r.out());
        assertTrue(r.out().contains("held-out clicks: NDCG@10 on "), r.out());
        assertTrue(r.out().contains("trained on clicks"), r.out());
        assertTrue(r.out().contains("train: search ranker version "), r.out());
        Run list = Run.of(List.of("model", "list"), "--db-url=" + url);
        assertEquals(0, list.code(), list.err());
        assertTrue(list.out().contains("held-out clicks NDCG@10 "), list.out());
        // a window with no sessions says what is missing and how to get it
        Run none = Run.of(List.of("train"), "--db-url=" + url, "--judgments-from", "clicks", "--clicks-since",
                "2999-01-01");
        assertEquals(1, none.code(), none.out());
        assertTrue(none.err().contains("no logged search sessions to learn from since 2999-01-01T00:00:00Z"),
                none.err());
        assertTrue(none.err().contains("reelrank simulate"), none.err());
    }

    @Test
    void bothAddsTheClickGroupsToTheRatingTrainingAndRecordsBothValidations() throws Exception {
        ClickTraining.Prepared p = ClickTraining.prepare(db, options(true), s -> { });
        int threads = Runtime.getRuntime().availableProcessors();
        RankerTraining.Options o = new RankerTraining.Options(List.of(SearchRankerTraining.DEFAULT),
                List.of(io.reelrank.eval.RecommendRankerTraining.DEFAULT), 4_000,
                SearchRankerTraining.DEFAULT.params().seed(), threads, index);
        List<String> lines = new ArrayList<>();
        Training.Listener l = new Training.Listener() {
            @Override
            public void detail(String line) {
                lines.add(line);
            }
        };
        ClickTraining.Outcome out = ClickTraining.both(db, options(true), p, new Training.Options(
                List.of(TestDatabase.MODEL), threads, UserTower.DEFAULT_SHRINKAGE).withRanker(o), l);
        assertTrue(lines.stream().anyMatch(x -> x.startsWith(String.format(Locale.ROOT, "and %,d groups (%,d rows) of "
                + "judgments from clicks added to every fit", p.fit().groups(), p.fit().rows()))), lines.toString());
        try (Connection c = db.connect()) {
            RankerStore.Version v = RankerStore.version(c, out.version());
            assertEquals("active", v.status());
            assertTrue(v.validation().has("weighted_liked"), "the ratings' validation: " + v.validation());
            assertEquals(p.held().size() > 0, v.validation().get("clicks").get("ndcg").has(
                    "trained on ratings and clicks"), v.validation().toString());
            assertEquals("clicks", v.params().get("clicks").get("judgments").asText());
            // clicks are on search results: no recommendation ranker was trained beside it
            RankerStore.Active rec = RankerStore.active(c, RankerStore.RECOMMEND);
            assertTrue(rec == null || rec.version().version() < out.version(), "a recommendation ranker was trained");
        }
    }
}
