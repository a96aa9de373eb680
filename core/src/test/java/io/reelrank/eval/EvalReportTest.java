package io.reelrank.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reelrank.model.ImplicitAls;
import io.reelrank.model.ModelTrainer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report of a made-up result: what it prints, its JSON record, and how a later record is compared with it. */
@Tag("unit")
class EvalReportTest {

    private static ModelSelection.Trial trial(double alpha, double recall) {
        ModelTrainer.Settings s = new ModelTrainer.Settings(new ImplicitAls.Params(64, alpha, 0.1, 10, 3, 42), 0, 10,
                5);
        return new ModelSelection.Trial(s, recall, recall * 0.75, 0.0002, 590, 12.5);
    }

    private static Bootstrap.Interval interval(double mean, double halfWidth, int n) {
        return new Bootstrap.Interval(mean, mean - halfWidth, mean + halfWidth, n);
    }

    /** A result shaped as the sample's: every figure {@code reelrank eval} reports, made-up values. */
    static EvalResult sample() {
        Map<String, Bootstrap.Interval> search = new LinkedHashMap<>();
        double v = 0.30;
        for (String group : List.of("liked", "disliked")) {
            for (String measure : List.of("ndcg@10", "recall@10", "mrr")) {
                for (String system : List.of("bm25", "bm25+popularity", "personalized", "personalized-bm25+popularity",
                        "personalized-bm25")) {
                    search.put(measure + " " + group + " " + system, interval(v += 0.001, 0.003,
                            group.equals("liked") ? 17033 : 5441));
                }
            }
        }
        search.put("ndcg@10 liked personalized-bm25+popularity", new Bootstrap.Interval(0.0064, 0.0038, 0.0091, 17033));
        search.put("ndcg@10 disliked personalized-bm25+popularity",
                new Bootstrap.Interval(-0.0408, -0.0460, -0.0357, 5441));
        Map<String, Bootstrap.Interval> rec = new LinkedHashMap<>();
        rec.put("recall@20 popularity", interval(0.0836, 0.0115, 592));
        for (String s : List.of("content", "ease", "two-tower")) {
            double m = s.equals("content") ? 0.0332 : s.equals("ease") ? 0.1443 : 0.1574;
            rec.put("recall@20 " + s, interval(m, 0.016, 592));
            rec.put("recall@20 " + s + "-popularity", interval(m - 0.0836, 0.017, 592));
            rec.put("ndcg@20 " + s, interval(m * 0.8, 0.011, 592));
        }
        rec.put("ndcg@20 popularity", interval(0.0802, 0.01, 592));
        rec.put("recall@20 two-tower-ease", new Bootstrap.Interval(0.0131, 0.0005, 0.0254, 592));
        rec.put("ndcg@20 two-tower-ease", new Bootstrap.Interval(0.0089, 0.0008, 0.0174, 592));
        rec.put("rare-movie recall@20 popularity", new Bootstrap.Interval(0, 0, 0, 262));
        rec.put("rare-movie recall@20 content", new Bootstrap.Interval(0.0094, 0.0031, 0.0169, 262));
        rec.put("rare-movie recall@20 ease", new Bootstrap.Interval(0, 0, 0, 262));
        rec.put("rare-movie recall@20 two-tower", new Bootstrap.Interval(0.0002, 0, 0.0005, 262));
        SweepGrid.Setting chosen = new SweepGrid.Setting(SweepReport.WEIGHTED, 0.6, 0.5, 0.5);
        Map<String, Bootstrap.Interval> point = new LinkedHashMap<>();
        for (String name : List.of("ndcg@10 liked bm25", "ndcg@10 liked personalized",
                "ndcg@10 liked personalized-bm25", "ndcg@10 disliked bm25", "ndcg@10 disliked personalized",
                "ndcg@10 disliked personalized-bm25")) {
            point.put(name, interval(0.3, 0.01, 100));
        }
        return new EvalResult(
                new EvalResult.Protocol(true, 0.2, 42, 1000, 10, 100, 1000, true, "in-process", 10),
                new EvalResult.Data(100836, 610, 4, 1658, 80672, 20164, 64549, 16123, 9742),
                new EvalResult.ModelChoice(List.of(trial(0.5, 0.1875), trial(2, 0.1942)), 1),
                new EvalResult.EaseChoice(List.of(new EvalResult.EaseTrial(100, 0.181, 1857),
                        new EvalResult.EaseTrial(500, 0.186, 1857)), 500),
                new EvalResult.BaselineChoice(List.of(new EvalResult.BaselineRow("bm25", 0.325, 0.3171),
                        new EvalResult.BaselineRow("bm25+popularity π=0.70", 0.4031, 0.3501)),
                        new Choices.Pick(0, 0.7, 0.4031)),
                new EvalResult.FusionChoice(List.of(new SweepReport.Point(SweepReport.WEIGHTED, 0.6, 0.5, 0.5, point)),
                        chosen, null, null),
                null,
                new EvalResult.Search(17033, 5441, 3, search),
                new EvalResult.Recommendation(592, 18, 0, 0, rec));
    }

    @Test
    void printsEveryChoiceWithTheChosenOneMarkedThenTheTestTables() {
        StringWriter out = new StringWriter();
        EvalReport.print(sample(), new PrintWriter(out));
        String text = out.toString();
        assertTrue(text.startsWith("eval: temporal split, test fraction 0.2, seed 42 (the temporal split uses none), "
                + "bootstrap seed 42 with 1000 resamples\n"), text);
        assertTrue(text.contains("\n  * rank=64 α=2 λ=0.1 "), text);
        assertTrue(text.contains("\n  λ=500      recall@20 0.1860  (1857 movies)\n"), text);
        assertTrue(text.contains("\n* weighted α=0.60 π=0.50 γ=0.50 "), text);
        assertTrue(text.contains("against bm25+popularity π=0.70 and bm25; 17,033 liked and 5,441 disliked"), text);
        assertTrue(text.contains("model rank=64 α=2 λ=0.1 iterations=10 midpoint=3 seed=42 blend m=0 ridge μ=10 "
                + "min-fit=5; EASE λ=500\n"), text);
        assertTrue(!text.contains("wrote "), "one fusion setting writes no sweep files");
    }

    @Test
    void theJsonRecordReadsBackAndReproducesItself(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("results").resolve("sample.json");
        EvalReport.writeJson(sample(), file);
        JsonNode record = EvalReport.readJson(file);
        assertEquals(List.of(), EvalReport.compare(record, EvalReport.json(sample())));
        assertEquals(0.7, record.path("choices").path("baseline_popularity").asDouble());
        assertEquals(17033, record.path("search").path("figures").path("ndcg@10 liked bm25").path("n").asInt());
        assertTrue(Files.readString(file).endsWith("}\n"));
    }

    @Test
    void aFigureMayMoveWithinTheToleranceOfItsKindAndNoFurther() {
        JsonNode record = EvalReport.json(sample());
        ObjectNode run = EvalReport.json(sample());
        ObjectNode liked = (ObjectNode) run.path("search").path("figures").path("ndcg@10 liked personalized");
        double mean = liked.path("mean").asDouble();
        liked.put("mean", mean + EvalReport.SEARCH_TOLERANCE * 0.9);
        assertEquals(List.of(), EvalReport.compare(record, run));
        liked.put("mean", mean + EvalReport.SEARCH_TOLERANCE * 1.5);
        List<String> d = EvalReport.compare(record, run);
        assertEquals(1, d.size(), d.toString());
        assertTrue(d.get(0).startsWith("search.figures.ndcg@10 liked personalized.mean: expected "), d.get(0));
        ObjectNode looser = EvalReport.json(sample());
        ((ObjectNode) looser.path("tolerances").path("search")).put("within", EvalReport.SEARCH_TOLERANCE * 2);
        assertEquals(List.of(), EvalReport.compare(looser, run), "the record's own tolerance applies");
        liked.put("mean", mean);
        // A recommendation figure has the wider tolerance of its kind.
        ObjectNode recall = (ObjectNode) run.path("recommendation").path("figures").path("recall@20 two-tower");
        recall.put("low", recall.path("low").asDouble() + EvalReport.SEARCH_TOLERANCE * 1.5);
        assertEquals(List.of(), EvalReport.compare(record, run));
        recall.put("low", recall.path("low").asDouble() + EvalReport.RECOMMENDATION_TOLERANCE);
        assertEquals(1, EvalReport.compare(record, run).size());
    }

    @Test
    void countsChoicesAndTheProtocolMustBeEqual() {
        JsonNode record = EvalReport.json(sample());
        ObjectNode run = EvalReport.json(sample());
        ((ObjectNode) run.path("data")).put("ratings", 100835);
        ((ObjectNode) run.path("choices")).put("baseline_popularity", 0.6);
        ((ObjectNode) run.path("search").path("figures").path("mrr liked bm25")).put("n", 17032);
        ((ObjectNode) run.path("protocol")).put("seed", 7);
        ((ObjectNode) run.path("recommendation")).put("extra", 1);
        assertEquals(List.of("protocol.seed: expected 42, got 7", "data.ratings: expected 100836, got 100835",
                "choices.baseline_popularity: expected 0.7, got 0.6",
                "search.figures.mrr liked bm25.n: expected 17033, got 17032",
                "recommendation.extra: not in the record, got 1"),
                EvalReport.compare(record, run));
    }
}
