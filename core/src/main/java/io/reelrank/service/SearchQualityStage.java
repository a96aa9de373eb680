package io.reelrank.service;

import io.reelrank.db.Database;
import io.reelrank.embed.BundledModel;
import io.reelrank.embed.MovieText;
import io.reelrank.embed.OnnxEncoder;
import io.reelrank.embed.QueryEncoder;
import io.reelrank.eval.Bootstrap;
import io.reelrank.eval.DescriptiveCorpus;
import io.reelrank.eval.DescriptiveTask;
import io.reelrank.eval.EvalData;
import io.reelrank.eval.EvalResult;
import io.reelrank.eval.ExactTask;
import io.reelrank.eval.JudgedQueries;
import io.reelrank.eval.QueryGenerator;
import io.reelrank.eval.SearchQualityRankers;
import io.reelrank.eval.SearchQualityTasks;
import io.reelrank.eval.SearchTask;
import io.reelrank.eval.Splits;
import io.reelrank.eval.SweepRankers;
import io.reelrank.eval.TypoTask;
import io.reelrank.index.MovieRecord;
import io.reelrank.index.MovieSearcher;
import io.reelrank.index.TypoTolerance;
import io.reelrank.model.ItemVectors;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.rerank.Retrieval;
import io.reelrank.rerank.RetrievalSettings;
import io.reelrank.rerank.Retriever;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code search-quality} stage of {@link Evaluation}: the typo, exact and descriptive tasks of
 * docs/search-quality.md on the test split, each with BM25, BM25 + popularity (at the baseline's π,
 * chosen on validation) and the shipped search without a user ({@link RetrievalSettings#DEFAULT},
 * π of {@link PersonalizedSearch#ANONYMOUS_WEIGHTS}), with 95% intervals and paired differences; the
 * descriptive task also with semantic and hybrid retrieval. The caller passes the open index and the
 * loaded vectors; the descriptive task builds its own index and vectors under {@code workDir}
 * ({@link DescriptiveCorpus}). Nothing is written to the database.
 */
final class SearchQualityStage {

    private static final String NO_TYPOS = "shipped without typo tolerance";

    private SearchQualityStage() {}

    static EvalResult.SearchQuality run(Database db, List<String> tasks, Splits.Split parts, QueryGenerator queries,
                                        EvalData.Catalog catalog, MovieSearcher searcher, ItemVectors items,
                                        double baselinePi, EvalResult.Protocol p, Bootstrap bootstrap, int threads,
                                        Path workDir, Evaluation.Listener l) throws Exception {
        RetrievalSettings plain = RetrievalSettings.PLAIN_BM25;
        RetrievalSettings shipped = RetrievalSettings.DEFAULT;
        double pi = PersonalizedSearch.ANONYMOUS_WEIGHTS.popularity();
        int[] popularity = SweepRankers.popularity(parts.train());
        int k = p.k();
        List<EvalResult.SearchQualityTask> out = new ArrayList<>();
        try (QueryEncoder encoder = QueryEncoder.bundled()) {
            SearchQualityRankers rankers = new SearchQualityRankers(new Retriever(searcher, () -> items, encoder),
                    p.candidates());
            if (tasks.contains("typo")) {
                List<JudgedQueries.Query> qs = TypoTask.queries(parts.test(), queries, p.seed());
                Map<String, SearchTask.Ranker> rs = new LinkedHashMap<>();
                rs.put(SearchQualityTasks.BM25, rankers.retrieval(plain));
                rs.put(SearchQualityTasks.BASELINE, rankers.prior(plain, baselinePi, popularity));
                rs.put(SearchQualityTasks.SHIPPED, rankers.prior(shipped, pi, popularity));
                JudgedQueries.Values v = JudgedQueries.run(qs, rs, k, threads);
                out.add(new EvalResult.SearchQualityTask("typo", String.format(Locale.ROOT, "the search task's "
                        + "title words of >= %d letters for liked held-out movies, one typing error each inside the "
                        + "word (seed %d)", TypoTask.MIN_WORD_LENGTH, p.seed()), qs.size(), 0,
                        SearchQualityTasks.figures(v, true, "liked", List.of(
                                new String[] {SearchQualityTasks.SHIPPED, SearchQualityTasks.BASELINE},
                                new String[] {SearchQualityTasks.SHIPPED, SearchQualityTasks.BM25}), bootstrap)));
                l.detail(String.format(Locale.ROOT, "typo: %,d queries", qs.size()));
                rankers.forget();
            }
            if (tasks.contains("exact")) {
                List<JudgedQueries.Query> qs = ExactTask.queries(parts.test(), queries);
                Map<String, SearchTask.Ranker> rs = new LinkedHashMap<>();
                rs.put(SearchQualityTasks.BM25, rankers.retrieval(plain));
                rs.put(SearchQualityTasks.BASELINE, rankers.prior(plain, baselinePi, popularity));
                rs.put(NO_TYPOS, rankers.prior(shipped.withTypos(TypoTolerance.OFF), pi, popularity));
                rs.put(SearchQualityTasks.SHIPPED, rankers.prior(shipped, pi, popularity));
                JudgedQueries.Values v = JudgedQueries.run(qs, rs, k, threads);
                List<String[]> diffs = List.of(
                        new String[] {SearchQualityTasks.BASELINE, SearchQualityTasks.BM25},
                        new String[] {SearchQualityTasks.SHIPPED, NO_TYPOS},
                        new String[] {SearchQualityTasks.SHIPPED, SearchQualityTasks.BASELINE});
                Map<String, Bootstrap.Interval> figures = new LinkedHashMap<>(
                        SearchQualityTasks.figures(v, true, "liked", diffs, bootstrap));
                figures.putAll(SearchQualityTasks.figures(v, false, "disliked", diffs, bootstrap));
                out.add(new EvalResult.SearchQualityTask("exact", "the search task's own title and genre queries "
                        + "for held-out movies, as typed", SearchQualityTasks.count(qs, true),
                        SearchQualityTasks.count(qs, false), figures));
                l.detail(String.format(Locale.ROOT, "exact: %,d queries", qs.size()));
                rankers.forget();
            }
            if (tasks.contains("descriptive")) {
                out.add(descriptive(db, catalog, searcher, encoder, pi, baselinePi, p, bootstrap, threads, workDir,
                        l));
            }
        }
        return new EvalResult.SearchQuality(shipped.toString(), pi, baselinePi, List.copyOf(out));
    }

    /** The descriptive task: an index and movie vectors without the held-out taggers' tags, their tags as queries. */
    private static EvalResult.SearchQualityTask descriptive(Database db, EvalData.Catalog catalog,
                                                            MovieSearcher production, QueryEncoder encoder, double pi,
                                                            double baselinePi, EvalResult.Protocol p,
                                                            Bootstrap bootstrap, int threads, Path workDir,
                                                            Evaluation.Listener l) throws Exception {
        List<DescriptiveTask.Tag> tags;
        Map<Integer, String> texts = new HashMap<>();
        try (Connection c = db.connect()) {
            tags = EvalData.loadTags(c);
            for (MovieText.Movie m : MovieText.loadAll(c)) texts.put(m.movieId(), m.text());
        }
        Map<Integer, String> titles = new HashMap<>();
        for (int i = 0; i < catalog.size(); i++) titles.put(catalog.movieIds()[i], catalog.titles()[i]);
        DescriptiveTask.Data data = DescriptiveTask.build(tags, titles, DescriptiveTask.DEFAULT_SHARE, p.seed());
        List<JudgedQueries.Query> qs = data.test();
        List<MovieRecord> movies = production.allMovies();
        DescriptiveCorpus.Corpus corpus;
        try (OnnxEncoder model = OnnxEncoder.bundled(BundledModel.DEFAULT, OnnxEncoder.Settings.defaults())) {
            corpus = DescriptiveCorpus.build(movies, data.kept(), texts, ItemVectors.load(db, false), model,
                    workDir.resolve("descriptive-index"));
        }
        l.detail(String.format(Locale.ROOT, "descriptive: index and %,d re-embedded movie texts without the held-out "
                + "taggers' tags", corpus.changedTexts()));
        // The judgments are tags, not ratings: n of the prior is the movie's whole rating count.
        int max = 0;
        for (MovieRecord m : movies) max = Math.max(max, m.movieId());
        int[] popularity = new int[max + 1];
        for (MovieRecord m : movies) popularity[m.movieId()] = m.ratingCount();
        RetrievalSettings shipped = RetrievalSettings.DEFAULT;
        RetrievalSettings bm25 = RetrievalSettings.PLAIN_BM25;
        RetrievalSettings semantic = shipped.withRetrieval(Retrieval.SEMANTIC);
        RetrievalSettings hybrid = shipped.withRetrieval(Retrieval.HYBRID);
        try (MovieSearcher searcher = MovieSearcher.open(corpus.indexDir())) {
            SearchQualityRankers rankers = new SearchQualityRankers(new Retriever(searcher, corpus::vectors, encoder),
                    p.candidates());
            Map<String, SearchTask.Ranker> rs = new LinkedHashMap<>();
            rs.put(SearchQualityTasks.BM25, rankers.retrieval(bm25));
            rs.put(SearchQualityTasks.BASELINE, rankers.prior(bm25, baselinePi, popularity));
            rs.put("semantic", rankers.retrieval(semantic));
            rs.put("hybrid", rankers.retrieval(hybrid));
            rs.put("hybrid+popularity", rankers.prior(hybrid, pi, popularity));
            rs.put(SearchQualityTasks.SHIPPED, rankers.prior(shipped, pi, popularity));
            JudgedQueries.Values v = JudgedQueries.run(qs, rs, p.k(), threads);
            return new EvalResult.SearchQualityTask("descriptive", String.format(Locale.ROOT, "tags of %d of %d "
                    + "taggers held out (share %.2f, seed %d) as queries, the test half of their distinct texts; "
                    + "relevant: the movies they tagged so; index and vectors from the other taggers' %,d tag rows",
                    data.heldOutTaggers().size(), data.taggers(), DescriptiveTask.DEFAULT_SHARE, p.seed(),
                    data.kept().size()), qs.size(), 0, SearchQualityTasks.figures(v, true, "described", List.of(
                            new String[] {"hybrid", SearchQualityTasks.BM25},
                            new String[] {"semantic", SearchQualityTasks.BM25},
                            new String[] {"hybrid+popularity", SearchQualityTasks.BASELINE},
                            new String[] {SearchQualityTasks.SHIPPED, SearchQualityTasks.BASELINE}), bootstrap));
        }
    }
}
