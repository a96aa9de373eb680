package io.reelrank.rank;

import java.util.Locale;

/**
 * The named features of a (query, user, candidate movie), each with its formula: the one feature set
 * that serving, training and the evaluation compute through {@link FeatureSet}. A ranker stores the
 * names of the features it was trained on, in order; the names are stable (renaming one makes stored
 * rankers unusable). Notation: n_i the movie's number of ratings, μ the global mean, b_u the user's
 * shrunk mean, b_i the item bias ({@link MovieStats}), e_i the movie's unit content vector, u the
 * user's content vector, x_u and y_i the collaborative vectors, mm(x) = (x − min)/(max − min) over
 * the candidates. A value that cannot be computed (no vector, no year, …) is NaN: missing, never a
 * made-up number; the trees learn where missing values go.
 */
public enum Feature {
    BM25("bm25", "BM25 score of the movie for the query (Lucene's BM25Similarity); NaN for recommendations and "
            + "for a candidate only the semantic retrieval found"),
    BM25_NORM("bm25_norm", "bm25 / max bm25 over the candidates"),
    BM25_RANK("bm25_rank", "1-based rank in the retrieval: BM25's order for a search (ties by movie_id; NaN for a "
            + "candidate only the semantic retrieval found), the collaborative retrieval's for recommendations"),
    QUERY_GENRE("query_genre", "1 when the query names genres only (genres:X, AND/OR/NOT, parentheses), else 0"),
    CANDIDATES("candidates", "number of BM25 candidates"),
    LOG_POP("log_pop", "log(1 + n_i)"),
    POP_MM("pop_mm", "mm(log(1 + n_i)) over the candidates"),
    SHRUNK_MEAN("shrunk_mean", "(Σ r + 10·μ)/(n_i + 10): the movie's mean rating shrunk toward μ"),
    ITEM_BIAS("item_bias", "b_i = Σ_u (r_ui − b_u)/(n_i + 10): how its raters liked it against their habit"),
    RECENT_POP("recent_pop", "log(1 + ratings of the movie in the 12 months up to the user's reference month), "
            + "the reference month: the month of the user's latest rating or of the data's, whichever is earlier"),
    MOVIE_AGE("movie_age", "reference year − the movie's year"),
    YEAR("year", "the movie's year"),
    USER_N("user_n", "log(1 + n_u), the user's number of ratings"),
    USER_MEAN("user_mean", "b_u = (Σ r_uj + 5·μ)/(n_u + 5)"),
    COS("cos", "cos(u, e_i): the content towers"),
    COS_MM("cos_mm", "mm(cos) over the candidates"),
    UV("uv", "x_u·y_i: the collaborative towers"),
    UV_MM("uv_mm", "mm(x_u·y_i) over the candidates"),
    GENRE_SHARE("genre_share", "mean over the movie's genres g of the share of the user's ratings in g"),
    GENRE_CENTRED("genre_centred", "Σ_g Σ_{j∈g} (r_uj − b_u) / (Σ_g |g ∩ rated| + 1) over the movie's genres g: "
            + "how much the user likes these genres against their mean"),
    GENRE_LIFT("genre_lift", "max over the movie's genres g of log(((n_ug + 5·p_g)/(n_u + 5)) / p_g), p_g "
            + "the share of all ratings given to movies of genre g, n_ug the user's ratings in g: how much more the "
            + "user rates the genre they like most in it than everyone does"),
    YEAR_DIST("year_dist", "|the movie's year − the mean year of the user's rated movies|"),
    COS_LIKED("cos_liked", "cos(e_i, Σ e_j over the user's movies rated ≥ 4)"),
    COS_DISLIKED("cos_disliked", "cos(e_i, Σ e_j over the user's movies rated ≤ 2.5)"),
    SIGNED_CF("signed_cf", "cos(y_i, Σ_j (r_uj − b_u)·y_j): the user's centred ratings in the factor space"),
    KNN("knn", "Σ_j s_ij·(r_uj − b_u)/(Σ_j s_ij + 1) over the 20 movies j most similar to i among "
            + "the user's 512 latest rated, s_ij = cos(y_i, y_j) > 0 (item-kNN, Sarwar et al. 2001)"),
    LATEST_SIM("latest_sim", "cos(y_i, Σ_j y_j/|y_j| over the user's 10 latest rated movies j): how close "
            + "it is to what the user watched last"),
    HAS_CF("has_cf", "1 when the user has a collaborative vector, else 0"),
    STARS("stars", "the user's own rating of the movie, NaN when not rated");
    // Issue 19's hybrid retrieval adds its features here, at the end (stored rankers keep their names):
    // the query-movie cosine (the query's MiniLM vector against e_i) and which retriever found the
    // candidate (BM25, semantic, both), with their values set in FeatureSet.compute from its Inputs.

    private final String key;
    private final String formula;

    Feature(String key, String formula) {
        this.key = key;
        this.formula = formula;
    }

    /** The stable name stored with a ranker. */
    public String key() {
        return key;
    }

    public String formula() {
        return formula;
    }

    public static Feature of(String key) {
        for (Feature f : values()) {
            if (f.key.equals(key)) return f;
        }
        throw new IllegalArgumentException("unknown feature '" + key + "'; the features are "
                + java.util.Arrays.stream(values()).map(Feature::key).toList());
    }

    @Override
    public String toString() {
        return key.toLowerCase(Locale.ROOT);
    }
}
