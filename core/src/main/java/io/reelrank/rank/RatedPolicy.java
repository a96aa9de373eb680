package io.reelrank.rank;

/**
 * Where a learned ranking puts the candidates the user has already rated. The ranker is trained on
 * what users rated next (movies they had not rated), so its score says nothing useful about a
 * movie the user rated: for those, what they said decides.
 * <ul>
 *   <li>{@code LOW} (shipped): a movie rated at or below {@link #LOW_STARS} goes below every unrated
 *       candidate; any other keeps the ranker's score;</li>
 *   <li>{@code OWN}: as {@code LOW}, and a movie rated at or above {@link #HIGH_STARS} goes above every
 *       unrated candidate;</li>
 *   <li>{@code TITLE}: as {@code OWN} when the query names words (a person typing a title word
 *       they loved is looking for it), as {@code LOW} when it names genres only (an exploring
 *       query, where a movie already seen is not what they look for);</li>
 *   <li>{@code MODEL}: the ranker's score, as for any movie;</li>
 *   <li>{@code BOTTOM}: every rated movie below every unrated one (what the evaluation's judgments
 *       reward, since a rated movie is never the one held out).</li>
 * </ul>
 * Measured on validation by {@code reelrank bench ltr} (docs/learned-ranker.md).
 */
public enum RatedPolicy {
    LOW, OWN, TITLE, MODEL, BOTTOM;

    /** Stars at or above this lift a rated movie above the unrated ones. */
    public static final double HIGH_STARS = 4.0;
    /** Stars at or below this sink a rated movie below the unrated ones. */
    public static final double LOW_STARS = 2.0;

    /**
     * The tier of a candidate: 1 above the unrated, 0 with them, −1 below; {@code stars} NaN when
     * the user has not rated it, {@code genreQuery} whether the query names genres only.
     * Candidates sort by tier, then score, then movie_id.
     */
    public int tier(double stars, boolean genreQuery) {
        if (Double.isNaN(stars)) return 0;
        return switch (this) {
            case LOW -> stars <= LOW_STARS ? -1 : 0;
            case OWN -> stars >= HIGH_STARS ? 1 : stars <= LOW_STARS ? -1 : 0;
            case TITLE -> stars >= HIGH_STARS && !genreQuery ? 1 : stars <= LOW_STARS ? -1 : 0;
            case MODEL -> 0;
            case BOTTOM -> -1;
        };
    }
}
