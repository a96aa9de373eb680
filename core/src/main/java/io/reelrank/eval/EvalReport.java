package io.reelrank.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reelrank.model.ModelStore;
import io.reelrank.model.ModelTrainer;
import io.reelrank.model.Numbers;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An {@link EvalResult} as {@code reelrank eval} prints it (every choice on validation with its
 * figures, then the test split's tables, each figure with its 95% interval), and as JSON: the
 * regression record that {@code docs/results/sample.json} is, with the tolerances a later run's
 * figures are checked against ({@link #compare}). The JSON holds no timing and no path, so the same
 * data and options write the same bytes.
 *
 * <p>Tolerances, per kind of figure. A run is deterministic for its seeds: the same bytes on one
 * machine at any thread count (1 and 2 threads on the sample: equal records). Between machines only
 * the content vectors differ, in the last bits of a float, as ONNX Runtime computes them with other
 * instruction sets (7.45e-8 at most between two fp32 encoders of the same model, as
 * {@code reelrank bench embed} measures). The figures are means of per-pair or per-user values that
 * change only when two movies swap places: on the sample, adding uniform noise of ±1e-7 and of ±1e-6
 * to every vector component changed no figure at all. So a tolerance needs to allow a few swaps, no
 * more. A search figure is a mean over thousands of (held-out rating, query) pairs, where one pair's
 * movie crossing rank k moves Recall@k by 1/n (1/5,441 ≈ 0.0002 for the sample's disliked pairs):
 * the tolerance {@value #SEARCH_TOLERANCE} allows about five such swaps. A recommendation figure is
 * a mean over users (592 on the sample; 262 for rare movies), where one relevant movie crossing rank
 * 20 moves it by up to 1/n (1/262 ≈ 0.0038): the tolerance {@value #RECOMMENDATION_TOLERANCE} allows
 * one such swap among the rare movies or a few among the others. Counts, choices and the protocol
 * must be equal.
 */
public final class EvalReport {

    /** The format of the JSON record; a change that breaks {@link #compare} of older files bumps it. */
    public static final int FORMAT = 1;
    public static final double SEARCH_TOLERANCE = 0.001;
    public static final double RECOMMENDATION_TOLERANCE = 0.005;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private EvalReport() {}

    /** Prints the result as {@code reelrank eval} does on standard output. */
    public static void print(EvalResult r, PrintWriter out) {
        EvalResult.Protocol p = r.protocol();
        EvalResult.Data d = r.data();
        out.printf(Locale.ROOT, "eval: %s split, test fraction %s, seed %d (%s), bootstrap seed %d with %d resamples%n",
                p.temporal() ? "temporal" : "random", p.testFraction(), p.seed(),
                p.temporal() ? "the temporal split uses none" : "random split", p.seed(), p.resamples());
        out.printf(Locale.ROOT, "data: %,d ratings of %,d users (test users left out: %d with %,d ratings); "
                + "training %,d, held out %,d%n", d.ratings(), d.users(), d.testUsers(), d.testUserRatings(),
                d.training(), d.heldOut());
        out.printf(Locale.ROOT, "validation: each user's latest %.0f%% of their training ratings held out: training "
                + "%,d, held out %,d; every choice below is made on it%n", 100 * ModelSelection.VALIDATION_FRACTION,
                d.validationTraining(), d.validationHeldOut());
        out.printf(Locale.ROOT, "items: %,d movie vectors, %s; content tower shrinkage k=%s; search: %d BM25 "
                + "candidates per query, NDCG@%d, Recall@%d, MRR%n", d.items(),
                p.center() ? "centered on the catalog mean" : "not centered", Numbers.plain(p.shrinkage()),
                p.candidates(), p.k(), p.k());

        out.printf(Locale.ROOT, "%nmodel selection on validation (two-tower recommender, Recall@%d; best first by "
                + "recall; ALS factors %s):%n", RecommendationTask.DEFAULT_K, p.engine());
        List<ModelSelection.Trial> trials = r.models().trials();
        for (int i = 0; i < trials.size(); i++) {
            ModelSelection.Trial t = trials.get(i);
            out.printf(Locale.ROOT, "  %s %-72s recall@20 %.4f  ndcg@20 %.4f  rare-movie recall@20 %.4f%n",
                    i == r.models().chosen() ? "*" : " ", t.settings(), t.recall(), t.ndcg(), t.rareRecall());
        }

        if (!r.ease().trials().isEmpty()) {
            out.printf(Locale.ROOT, "%nEASE λ on validation (movies with >= %d training ratings):%n",
                    p.easeMinRatings());
            for (EvalResult.EaseTrial t : r.ease().trials()) {
                out.printf(Locale.ROOT, "  λ=%-8s recall@20 %.4f  (%d movies)%n", Numbers.plain(t.lambda()),
                        t.recall(), t.movies());
            }
        }

        out.printf(Locale.ROOT, "%nbaseline %s on validation (NDCG@%d; chosen by liked):%n", Choices.BASELINE, p.k());
        for (EvalResult.BaselineRow row : r.baseline().rows()) {
            out.printf(Locale.ROOT, "  %-26s liked %.4f  disliked %.4f%n", row.ranker(), row.liked(), row.disliked());
        }
        printSweep(r, out);
        EvalResult.FusionChoice f = r.fusion();
        if (f.csv() != null) {
            out.printf(Locale.ROOT, "wrote %s (%d settings) and %s%n", f.csv(), f.points().size(), f.png());
        }
        if (r.learned() != null) printLearned(r, out);

        EvalResult.Search s = r.search();
        out.printf(Locale.ROOT, "%nsearch task on test: %s (chosen on validation) against %s π=%.2f and %s; "
                        + "%,d liked and %,d disliked (held-out rating, query) pairs, %,d pairs of movies without a "
                        + "query left out%n", f.chosen(), Choices.BASELINE, r.baseline().chosen().value(),
                Choices.BM25, s.liked(), s.disliked(), s.withoutQuery());
        out.printf(Locale.ROOT, "(liked: rating >= %.1f, higher is better; disliked: rating <= %.1f, lower is "
                + "better)%n", RecommendationTask.LIKED, SearchTask.DISLIKED);
        out.print(EvalSummary.table(s.figures()));

        EvalResult.Recommendation rec = r.recommendation();
        out.printf(Locale.ROOT, "%nrecommendation task on test: every unrated movie ranked; relevant: held-out rating "
                        + ">= %.1f; %,d users (%,d without a liked held-out movie left out); model %s; EASE λ=%s%n",
                RecommendationTask.LIKED, rec.users(), rec.usersWithoutLiked(), r.models().chosenSettings(),
                Numbers.plain(r.ease().chosen()));
        out.printf(Locale.ROOT, "two-tower: collaborative score, or the content tower for %d users without a "
                + "collaborative vector, or popularity for %d without either%n", rec.contentFallbacks(),
                rec.popularityFallbacks());
        out.print(EvalSummary.table(rec.figures()));
        printSearchQuality(r.searchQuality(), out);
        out.flush();
    }

    /** The search-quality tasks, when any ran: what each task's queries are, then its table. */
    private static void printSearchQuality(EvalResult.SearchQuality q, PrintWriter out) {
        if (q == null) return;
        out.printf(Locale.ROOT, "%nsearch-quality tasks on test (docs/search-quality.md): %s = the search without a "
                + "user as it ships (%s, π=%.2f); %s at the baseline's π=%.2f; %s the plain BM25 order%n",
                SearchQualityTasks.SHIPPED, q.shipped(), q.shippedPopularity(), SearchQualityTasks.BASELINE,
                q.baselinePopularity(), SearchQualityTasks.BM25);
        for (EvalResult.SearchQualityTask t : q.tasks()) {
            out.printf(Locale.ROOT, "%n%s task: %s; %,d queries%s%n", t.task(), t.queries(), t.liked(),
                    t.disliked() == 0 ? "" : String.format(Locale.ROOT, " of liked and %,d of disliked movies",
                            t.disliked()));
            out.print(EvalSummary.table(t.figures()));
        }
    }

    private static void printSweep(EvalResult r, PrintWriter out) {
        int k = r.protocol().k();
        MetricKey.Group liked = MetricKey.Group.LIKED;
        MetricKey.Group disliked = MetricKey.Group.DISLIKED;
        String personalized = Choices.PERSONALIZED;
        String gain = Choices.PERSONALIZED + "-" + Choices.BM25;
        out.printf(Locale.ROOT, "%nsearch settings on validation: NDCG@%d (95%% interval); chosen (*): the lowest "
                + "disliked NDCG@%d among those with liked NDCG@%d >= the baseline's %.4f%n", k, k, k,
                r.baseline().chosen().figure());
        out.printf(Locale.ROOT, "  %-34s  %-26s  %-27s  %-26s  %-27s%n", "setting", "liked personalized",
                "liked personalized-bm25", "disliked personalized", "disliked personalized-bm25");
        for (SweepReport.Point p : r.fusion().points()) {
            SweepGrid.Setting s = SweepGrid.Setting.of(p);
            out.printf(Locale.ROOT, "%s %-34s  %-26s  %-27s  %-26s  %-27s%n", s.equals(r.fusion().chosen()) ? "*" : " ",
                    s, cell(p, ndcg(liked, k, personalized)), cell(p, ndcg(liked, k, gain)),
                    cell(p, ndcg(disliked, k, personalized)), cell(p, ndcg(disliked, k, gain)));
        }
        SweepReport.Point any = r.fusion().points().get(0);
        out.printf(Locale.ROOT, "  bm25 alone: liked %s, disliked %s%n", cell(any, ndcg(liked, k, Choices.BM25)),
                cell(any, ndcg(disliked, k, Choices.BM25)));
    }

    private static void printLearned(EvalResult r, PrintWriter out) {
        EvalResult.Learned x = r.learned();
        int k = r.protocol().k();
        out.printf(Locale.ROOT, "%nlearned rankers on validation: features from the validation split's training part; "
                + "search fitted on %,d judgment groups of three quarters of the users, measured on the other %,d "
                + "users' %,d pairs (NDCG@%d, difference against %s):%n", x.judgments(), x.chooseUsers(),
                x.choosePairs(), k, Choices.BASELINE);
        out.printf(Locale.ROOT, "  features (%d): %s%n", x.features().size(), String.join(", ", x.features()));
        out.printf(Locale.ROOT, "  %-72s liked %.4f           disliked %.4f%n", Choices.BASELINE + String.format(
                Locale.ROOT, " π=%.2f", r.baseline().chosen().value()), x.baselineLiked(), x.baselineDisliked());
        out.printf(Locale.ROOT, "  %-72s liked %.4f (%+.4f)  disliked %.4f (%+.4f)%n", r.fusion().chosen(),
                x.weightedLiked(), x.weightedLiked() - x.baselineLiked(), x.weightedDisliked(),
                x.weightedDisliked() - x.baselineDisliked());
        out.printf(Locale.ROOT, "  %-72s liked %.4f (%+.4f)  disliked %.4f (%+.4f)%n", x.searchSetting(), x.liked(),
                x.liked() - x.baselineLiked(), x.disliked(), x.disliked() - x.baselineDisliked());
        out.printf(Locale.ROOT, "  search served by: %s (learned when liked is not below the baseline and liked gain "
                + "minus disliked gain beats the weighted fusion's)%n", x.searchServed() ? "learned" : "weighted");
        out.printf(Locale.ROOT, "  recommendations: the two-tower top %d reordered by %s: cross-fitted Recall@20 %.4f "
                + "against %.4f for the retrieval alone; served: %s%n", x.candidates(), x.recommendSetting(),
                x.recommendRecall(), x.retrievalRecall(), x.twoStageServed() ? "two stages" : "retrieval alone");
        out.printf(Locale.ROOT, "wrote %s%n", x.importance());
    }

    private static String ndcg(MetricKey.Group group, int k, String system) {
        return MetricKey.of(MetricKey.Measure.NDCG, k, group, system).name();
    }

    private static String cell(SweepReport.Point p, String metric) {
        Bootstrap.Interval i = p.metrics().get(metric);
        return i == null ? "-" : String.format(Locale.ROOT, "%.4f [%.4f, %.4f]", i.mean(), i.low(), i.high());
    }

    /** The result as the JSON regression record, with the tolerances {@link #compare} applies. */
    public static ObjectNode json(EvalResult r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("format", FORMAT);
        EvalResult.Protocol p = r.protocol();
        ObjectNode protocol = n.putObject("protocol");
        protocol.put("split", p.temporal() ? "temporal" : "random");
        protocol.put("test_fraction", p.testFraction());
        protocol.put("seed", p.seed());
        protocol.put("resamples", p.resamples());
        protocol.put("k", p.k());
        protocol.put("candidates", p.candidates());
        protocol.put("shrinkage", p.shrinkage());
        protocol.put("center", p.center());
        protocol.put("engine", p.engine());
        protocol.put("ease_min_ratings", p.easeMinRatings());
        EvalResult.Data d = r.data();
        ObjectNode data = n.putObject("data");
        data.put("ratings", d.ratings());
        data.put("users", d.users());
        data.put("test_users", d.testUsers());
        data.put("test_user_ratings", d.testUserRatings());
        data.put("training", d.training());
        data.put("held_out", d.heldOut());
        data.put("validation_training", d.validationTraining());
        data.put("validation_held_out", d.validationHeldOut());
        data.put("items", d.items());

        ObjectNode choices = n.putObject("choices");
        choices.set("model", settings(r.models().chosenSettings()));
        choices.put("ease_lambda", r.ease().chosen());
        choices.put("baseline_popularity", r.baseline().chosen().value());
        choices.set("fusion", setting(r.fusion().chosen()));
        EvalResult.Learned x = r.learned();
        if (x != null) {
            ObjectNode learned = choices.putObject("learned");
            learned.put("search", x.searchSetting().toString());
            learned.put("search_served", x.searchServed() ? "learned" : "weighted");
            learned.put("recommend", x.recommendSetting().toString());
            learned.put("recommend_served", x.twoStageServed() ? "two-stage" : "two-tower");
        }

        ObjectNode validation = n.putObject("validation");
        ArrayNode models = validation.putArray("models");
        for (ModelSelection.Trial t : r.models().trials()) {
            ObjectNode m = models.addObject();
            m.set("setting", settings(t.settings()));
            ObjectNode figures = m.putObject("figures");
            figures.put("recall@20 two-tower", t.recall());
            figures.put("ndcg@20 two-tower", t.ndcg());
            figures.put("rare-movie recall@20 two-tower", t.rareRecall());
            m.put("users", t.users());
        }
        ArrayNode ease = validation.putArray("ease");
        for (EvalResult.EaseTrial t : r.ease().trials()) {
            ObjectNode e = ease.addObject();
            e.put("lambda", t.lambda());
            e.putObject("figures").put("recall@20 ease", t.recall());
            e.put("movies", t.movies());
        }
        ArrayNode baseline = validation.putArray("baseline");
        for (EvalResult.BaselineRow row : r.baseline().rows()) {
            ObjectNode b = baseline.addObject();
            b.put("ranker", row.ranker());
            ObjectNode figures = b.putObject("figures");
            figures.put("ndcg@" + r.protocol().k() + " liked", row.liked());
            figures.put("ndcg@" + r.protocol().k() + " disliked", row.disliked());
        }
        ArrayNode fusion = validation.putArray("fusion");
        for (SweepReport.Point p2 : r.fusion().points()) {
            ObjectNode f = fusion.addObject();
            f.set("setting", setting(SweepGrid.Setting.of(p2)));
            f.set("figures", intervals(p2.metrics()));
        }
        if (x != null) {
            String k = "ndcg@" + r.protocol().k();
            ObjectNode learned = validation.putObject("learned");
            ArrayNode features = learned.putArray("features");
            x.features().forEach(features::add);
            learned.put("judgments", x.judgments());
            learned.put("choosing_users", x.chooseUsers());
            learned.put("choosing_pairs", x.choosePairs());
            ObjectNode figures = learned.putObject("figures");
            figures.put(k + " liked " + Choices.BASELINE, x.baselineLiked());
            figures.put(k + " disliked " + Choices.BASELINE, x.baselineDisliked());
            figures.put(k + " liked " + Choices.PERSONALIZED, x.weightedLiked());
            figures.put(k + " disliked " + Choices.PERSONALIZED, x.weightedDisliked());
            figures.put(k + " liked " + Choices.LEARNED, x.liked());
            figures.put(k + " disliked " + Choices.LEARNED, x.disliked());
            ObjectNode rec = validation.putObject("learned_recommend");
            rec.put("candidates", x.candidates());
            ObjectNode rf = rec.putObject("figures");
            rf.put("recall@20 two-tower", x.retrievalRecall());
            rf.put("recall@20 " + Choices.TWO_STAGE, x.recommendRecall());
        }

        EvalResult.Search s = r.search();
        ObjectNode search = n.putObject("search");
        search.put("liked_pairs", s.liked());
        search.put("disliked_pairs", s.disliked());
        search.put("pairs_without_query", s.withoutQuery());
        search.set("figures", intervals(s.figures()));
        EvalResult.Recommendation rec = r.recommendation();
        ObjectNode recommendation = n.putObject("recommendation");
        recommendation.put("users", rec.users());
        recommendation.put("users_without_liked", rec.usersWithoutLiked());
        recommendation.put("content_fallbacks", rec.contentFallbacks());
        recommendation.put("popularity_fallbacks", rec.popularityFallbacks());
        recommendation.set("figures", intervals(rec.figures()));
        EvalResult.SearchQuality q = r.searchQuality();
        if (q != null) {
            ObjectNode quality = n.putObject("search_quality");
            quality.put("shipped", q.shipped());
            quality.put("shipped_popularity", q.shippedPopularity());
            quality.put("baseline_popularity", q.baselinePopularity());
            ObjectNode tasks = quality.putObject("tasks");
            for (EvalResult.SearchQualityTask t : q.tasks()) {
                ObjectNode task = tasks.putObject(t.task());
                task.put("queries", t.queries());
                task.put("liked", t.liked());
                task.put("disliked", t.disliked());
                task.set("figures", intervals(t.figures()));
            }
        }

        // Which figures each tolerance covers (a mean or an interval bound); everything else must be equal.
        ObjectNode tolerances = n.putObject("tolerances");
        tolerance(tolerances, "search", SEARCH_TOLERANCE, "search", "validation.baseline", "validation.fusion",
                "validation.learned", "search_quality");
        tolerance(tolerances, "recommendation", RECOMMENDATION_TOLERANCE, "recommendation", "validation.models",
                "validation.ease", "validation.learned_recommend");
        return n;
    }

    /** Writes {@link #json} to {@code file}, creating its directory. */
    public static void writeJson(EvalResult r, Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        Files.writeString(file, JSON.writeValueAsString(json(r)) + "\n", StandardCharsets.UTF_8);
    }

    /** Reads a JSON record written by {@link #writeJson}. */
    public static JsonNode readJson(Path file) throws IOException {
        JsonNode n = JSON.readTree(file.toFile());
        if (n == null || !n.path("format").isInt() || n.path("format").asInt() != FORMAT) {
            throw new IOException(file + ": not an eval record of format " + FORMAT + " (write it with `reelrank eval "
                    + "--json FILE`)");
        }
        return n;
    }

    /**
     * Where {@code actual} differs from {@code expected}, one line each: a figure by more than the
     * tolerance the expected record gives it (under {@code tolerances}, each kind's {@code within} for
     * the figures under its {@code figures_under} sections), anything else at all. Empty when the run
     * reproduces the record.
     */
    public static List<String> compare(JsonNode expected, JsonNode actual) {
        List<String> out = new ArrayList<>();
        JsonNode tol = expected.path("tolerances");
        for (String section : List.of("format", "protocol", "data", "choices", "validation", "search",
                "recommendation", "search_quality")) {
            compare(section, expected.path(section), actual.path(section), Double.NaN, tol, out);
        }
        return out;
    }

    private static void compare(String path, JsonNode e, JsonNode a, double inherited, JsonNode tol, List<String> out) {
        double tolerance = inherited;
        if (path.endsWith(".figures")) {
            for (JsonNode kind : tol) {
                for (JsonNode section : kind.path("figures_under")) {
                    if (path.startsWith(section.asText() + ".") || path.startsWith(section.asText() + "[")) {
                        tolerance = kind.path("within").asDouble(Double.NaN);
                    }
                }
            }
        }
        if (e.isObject() && a.isObject()) {
            List<String> fields = new ArrayList<>();
            e.fieldNames().forEachRemaining(fields::add);
            for (String f : fields) compare(path + "." + f, e.get(f), a.path(f), tolerance, tol, out);
            a.fieldNames().forEachRemaining(f -> {
                if (!e.has(f)) out.add(path + "." + f + ": not in the record, got " + a.get(f));
            });
        } else if (e.isArray() && a.isArray() && e.size() == a.size()) {
            for (int i = 0; i < e.size(); i++) compare(path + "[" + i + "]", e.get(i), a.get(i), tolerance, tol, out);
        } else if (e.isFloatingPointNumber() && a.isNumber() && !Double.isNaN(tolerance)) {
            double d = Math.abs(a.asDouble() - e.asDouble());
            if (!(d <= tolerance + 1e-12)) {
                out.add(String.format(Locale.ROOT, "%s: expected %s ± %s, got %s (off by %.4f)", path, e.asText(),
                        Numbers.plain(tolerance), a.asText(), d));
            }
        } else if (!e.equals(a) && !(e.isNumber() && a.isNumber() && e.asDouble() == a.asDouble())) {
            out.add(path + ": expected " + e + ", got " + (a.isMissingNode() ? "nothing" : a.toString()));
        }
    }

    private static void tolerance(ObjectNode tolerances, String kind, double within, String... sections) {
        ObjectNode t = tolerances.putObject(kind);
        t.put("within", within);
        ArrayNode under = t.putArray("figures_under");
        for (String s : sections) under.add(s);
    }

    private static ObjectNode settings(ModelTrainer.Settings s) {
        ObjectNode n = ModelStore.paramsJson(s);
        n.remove("formula");
        return n;
    }

    private static ObjectNode setting(SweepGrid.Setting s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("fusion", s.fusion());
        if (!Double.isNaN(s.alpha())) n.put("alpha", s.alpha());
        if (!Double.isNaN(s.popularity())) n.put("popularity", s.popularity());
        if (!Double.isNaN(s.collaborative())) n.put("collaborative", s.collaborative());
        return n;
    }

    private static ObjectNode intervals(Map<String, Bootstrap.Interval> figures) {
        ObjectNode n = JSON.createObjectNode();
        figures.forEach((name, i) -> {
            ObjectNode f = n.putObject(name);
            f.put("mean", i.mean());
            f.put("low", i.low());
            f.put("high", i.high());
            f.put("n", i.n());
        });
        return n;
    }
}
