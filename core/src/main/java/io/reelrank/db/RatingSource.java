package io.reelrank.db;

/**
 * Where a row of {@code ratings} came from, stored in {@code ratings.source} (migration V3). A reload
 * of the MovieLens files replaces only {@link #MOVIELENS} rows; the others are live data and survive.
 */
public enum RatingSource {
    /** Loaded by {@code reelrank ingest} from ratings.csv. */
    MOVIELENS("movielens"),
    /** Posted through {@code POST /api/users/{id}/ratings}. */
    API("api"),
    /** Stored by {@code reelrank rate}. */
    CLI("cli"),
    /** Written by {@code reelrank test-users}. */
    TEST_USERS("test-users");

    private final String value;

    RatingSource(String value) {
        this.value = value;
    }

    /** The value in {@code ratings.source}. */
    public String value() {
        return value;
    }
}
