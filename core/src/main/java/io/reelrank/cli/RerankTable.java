package io.reelrank.cli;

import io.reelrank.rerank.Fusion;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.rerank.Retrieval;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * Prints search results as a table: personalized ones with explanations, or beside the retrieval's
 * own list; one without a user with its prior; a "did you mean" line first when the query had one.
 */
final class RerankTable {

    private RerankTable() {}

    /** ↑3, ↓2 or = : how far a movie moved against its BM25 rank. */
    static String movement(int m) {
        return m > 0 ? "↑" + m : m < 0 ? "↓" + (-m) : "=";
    }

    static void print(PrintWriter out, PersonalizedSearch.Response r, boolean explain) {
        header(out, r);
        if (r.results().isEmpty()) {
            out.println("no movies match " + r.query());
            return;
        }
        boolean found = r.retrieval() != Retrieval.BM25;
        int tw = titleWidth(r.results());
        String fmt = "%4s  %8s  %-" + tw + "s  %4s  %4s  %4s  %8s  %7s  %7s  %7s  %8s" + (found ? "  %-8s" : "%s")
                + "%n";
        out.printf(Locale.ROOT, fmt, "rank", "movie_id", "title", "year", found ? "retr" : "bm25", "move", "bm25",
                "ratings", "cos", "u·v", "score", found ? "found by" : "");
        out.printf(Locale.ROOT, fmt, "", "", "", "", "rank", "", "", "", "", "", "", "");
        boolean flagged = false;
        for (PersonalizedSearch.Result h : r.results()) {
            String sim = h.similarity() == null ? (h.hasEmbedding() ? "" : "none*") : fmt(h.similarity(), 3);
            String cf = h.collaborative() == null ? "" : fmt(h.collaborative(), 3);
            flagged |= !h.hasEmbedding();
            out.printf(Locale.ROOT, fmt, h.rank(), h.movieId(), cut(h.title(), tw),
                    h.year() == null ? "" : h.year(), h.retrievalRank(), movement(h.movement()), bm25(h),
                    h.ratingCount(), sim, cf, fmt(h.score(), 4), found ? h.retriever() : "");
            if (explain) out.println("      " + h.explanation());
        }
        if (flagged) out.println("* no embedding for this movie: BM25 term only, neutral similarity");
        out.printf(Locale.ROOT, "%d of %,d candidates%n", r.results().size(), r.totalMatches());
    }

    /**
     * A search without a user: rank, movie, BM25, rating count (the prior's n) and score, plus which
     * list found each movie when semantic retrieval took part; the fusion's explanation under each row.
     */
    static void printAnonymous(PrintWriter out, PersonalizedSearch.Response r, boolean explain) {
        didYouMean(out, r);
        if (r.results().isEmpty()) {
            out.println("no movies match " + r.query());
            return;
        }
        boolean prior = r.fusion() == Fusion.WEIGHTED;
        out.printf(Locale.ROOT, "query %s · no user · %s · %s retrieval%n", r.query(), prior
                ? String.format(Locale.ROOT, "%s and the popularity prior, π=%.2f", r.retrieval() == Retrieval.BM25
                ? "BM25" : "the retrieval score", r.weights().popularity()) : "the retrieval's order", r.retrieval());
        boolean found = r.retrieval() != Retrieval.BM25;
        int tw = titleWidth(r.results());
        String fmt = "%4s  %8s  %-" + tw + "s  %4s  %-32s  %8s  %7s  %8s" + (found ? "  %-8s" : "%s") + "%n";
        out.printf(Locale.ROOT, fmt, "rank", "movie_id", "title", "year", "genres", "bm25", "ratings", "score",
                found ? "found by" : "");
        for (PersonalizedSearch.Result h : r.results()) {
            String genres = String.join("|", h.genres());
            out.printf(Locale.ROOT, fmt, h.rank(), h.movieId(), cut(h.title(), tw), h.year() == null ? "" : h.year(),
                    cut(genres, 32), bm25(h), h.ratingCount(), fmt(h.score(), 4), found ? h.retriever() : "");
            if (explain) out.println("      " + h.explanation());
        }
        out.printf(Locale.ROOT, "%d of %,d matching movies%n", r.results().size(), r.totalMatches());
    }

    /** The "did you mean" line, when the spell checker corrected a word of the query. */
    static void didYouMean(PrintWriter out, PersonalizedSearch.Response r) {
        if (r.didYouMean() != null) out.println("did you mean: " + r.didYouMean());
    }

    private static String bm25(PersonalizedSearch.Result h) {
        return h.bm25Rank() > 0 ? fmt(h.bm25(), 3) : "-";
    }

    static void printCompare(PrintWriter out, PersonalizedSearch.Response plain, PersonalizedSearch.Response personal) {
        header(out, personal);
        int n = Math.max(plain.results().size(), personal.results().size());
        int tw = 44;
        String fmt = "%3s  %-" + tw + "s  │  %3s  %-" + tw + "s  %4s%n";
        out.printf(Locale.ROOT, fmt, "#", plain.retrieval() == Retrieval.BM25 ? "BM25" : plain.retrieval()
                + " retrieval", "#",
                personal.personalized() ? "personalized for user " + personal.user() : "BM25 (cold user)", "move");
        for (int i = 0; i < n; i++) {
            PersonalizedSearch.Result a = i < plain.results().size() ? plain.results().get(i) : null;
            PersonalizedSearch.Result b = i < personal.results().size() ? personal.results().get(i) : null;
            out.printf(Locale.ROOT, fmt, a == null ? "" : a.rank(), a == null ? "" : cut(a.title() + year(a), tw),
                    b == null ? "" : b.rank(), b == null ? "" : cut(b.title() + year(b), tw),
                    b == null ? "" : movement(b.movement()));
        }
    }

    private static void header(PrintWriter out, PersonalizedSearch.Response r) {
        didYouMean(out, r);
        if (r.note() != null) out.println(r.note());
        if (r.user() != null && r.coldUser()) {
            out.printf(Locale.ROOT, "user %d has no vector yet (cold user): %s%n", r.user(),
                    r.fusion() == io.reelrank.rerank.Fusion.WEIGHTED ? "BM25 and the popularity prior" : "BM25 order");
        } else if (r.personalized()) {
            String weights = switch (r.fusion()) {
                case WEIGHTED -> " " + r.weights();
                case LINEAR -> String.format(Locale.ROOT, " α=%.2f", r.alpha());
                case RRF, BM25 -> "";
                case LEARNED -> " ranker version " + r.rankerVersion();
            };
            out.printf(Locale.ROOT, "query %s · user %d · %s fusion%s over %d %s candidates · %s%n", r.query(),
                    r.user(),
                    r.fusion(), weights, r.candidates(), r.retrieval() == Retrieval.BM25 ? "BM25"
                    : r.retrieval().toString(), r.modelVersion() == 0 ? "no collaborative model trained"
                            : "model version " + r.modelVersion() + (r.hasCollaborative() ? ""
                            : " (no collaborative vector for this user)"));
        }
    }

    private static int titleWidth(List<PersonalizedSearch.Result> rs) {
        int w = 12;
        for (PersonalizedSearch.Result h : rs) w = Math.max(w, Math.min(50, h.title().length()));
        return w;
    }

    private static String year(PersonalizedSearch.Result h) {
        return h.year() == null ? "" : " (" + h.year() + ")";
    }

    private static String cut(String s, int w) {
        return s.length() > w ? s.substring(0, w - 1) + "…" : s;
    }

    private static String fmt(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
