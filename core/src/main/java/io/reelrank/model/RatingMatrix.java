package io.reelrank.model;

import java.util.Arrays;

/**
 * The sparse user × movie rating matrix that {@link ImplicitAls} trains on, stored twice in
 * compressed-row form: by user (each user's movies and ratings) and by movie (each movie's users and
 * ratings), so that both half-steps of ALS read one contiguous run per row. Users and movies get
 * dense indices in ascending id order, so the same ratings always give the same matrix, whatever
 * order they arrived in. Ratings are kept as given (MovieLens stars); the preference transform
 * {@code r' = r − midpoint} is applied by the trainer. Build one with {@link #of}; immutable.
 */
public final class RatingMatrix {

    private final int[] userIds;
    private final int[] itemIds;
    private final int[] userPtr;
    private final int[] userItems;
    private final float[] userRatings;
    private final int[] itemPtr;
    private final int[] itemUsers;
    private final float[] itemRatings;

    private RatingMatrix(int[] userIds, int[] itemIds, int[] userPtr, int[] userItems, float[] userRatings,
                         int[] itemPtr, int[] itemUsers, float[] itemRatings) {
        this.userIds = userIds;
        this.itemIds = itemIds;
        this.userPtr = userPtr;
        this.userItems = userItems;
        this.userRatings = userRatings;
        this.itemPtr = itemPtr;
        this.itemUsers = itemUsers;
        this.itemRatings = itemRatings;
    }

    /**
     * The matrix of the first {@code n} (user, movie, rating) triples, parallel arrays in any order.
     * A (user, movie) pair must appear once: the ratings table's primary key guarantees it, and a
     * duplicate here would count one opinion twice.
     */
    public static RatingMatrix of(int[] users, int[] movies, float[] ratings, int n) {
        if (n < 0 || n > users.length || n > movies.length || n > ratings.length) {
            throw new IllegalArgumentException("n must be in [0, " + Math.min(users.length, Math.min(movies.length,
                    ratings.length)) + "], got " + n);
        }
        for (int i = 0; i < n; i++) {
            if (!(ratings[i] >= 0.5f && ratings[i] <= 5.0f)) {
                throw new IllegalArgumentException("rating must be in [0.5, 5.0], got " + ratings[i] + " (user "
                        + users[i] + ", movie " + movies[i] + ")");
            }
        }
        int[] userIds = distinct(users, n);
        int[] itemIds = distinct(movies, n);
        int[] u = new int[n];
        int[] m = new int[n];
        for (int i = 0; i < n; i++) {
            u[i] = Arrays.binarySearch(userIds, users[i]);
            m[i] = Arrays.binarySearch(itemIds, movies[i]);
        }
        int[][] byUser = compress(u, m, ratings, n, userIds.length);
        int[][] byItem = compress(m, u, ratings, n, itemIds.length);
        int[] userPtr = byUser[0];
        int[] userItems = byUser[1];
        float[] userRatings = toFloats(byUser[2]);
        for (int r = 0; r < userIds.length; r++) {
            for (int j = userPtr[r] + 1; j < userPtr[r + 1]; j++) {
                if (userItems[j] == userItems[j - 1]) {
                    throw new IllegalArgumentException("user " + userIds[r] + " rated movie " + itemIds[userItems[j]]
                            + " twice; each (user, movie) pair must appear once");
                }
            }
        }
        return new RatingMatrix(userIds, itemIds, userPtr, userItems, userRatings, byItem[0], byItem[1],
                toFloats(byItem[2]));
    }

    public int users() {
        return userIds.length;
    }

    public int items() {
        return itemIds.length;
    }

    /** Number of stored ratings. */
    public int ratings() {
        return userItems.length;
    }

    /** The user ids, ascending; index = dense user index. */
    public int[] userIds() {
        return userIds.clone();
    }

    /** The movie ids, ascending; index = dense item index. */
    public int[] itemIds() {
        return itemIds.clone();
    }

    public int userId(int index) {
        return userIds[index];
    }

    public int itemId(int index) {
        return itemIds[index];
    }

    /** The dense index of a user id, or a negative number when the user has no rating here. */
    public int userIndex(int userId) {
        return Arrays.binarySearch(userIds, userId);
    }

    /** The dense index of a movie id, or a negative number when the movie has no rating here. */
    public int itemIndex(int movieId) {
        return Arrays.binarySearch(itemIds, movieId);
    }

    int userStart(int u) {
        return userPtr[u];
    }

    int userEnd(int u) {
        return userPtr[u + 1];
    }

    /** Dense item index of the j-th stored rating in user order. */
    int userItem(int j) {
        return userItems[j];
    }

    float userRating(int j) {
        return userRatings[j];
    }

    int itemStart(int i) {
        return itemPtr[i];
    }

    int itemEnd(int i) {
        return itemPtr[i + 1];
    }

    /** Dense user index of the j-th stored rating in item order. */
    int itemUser(int j) {
        return itemUsers[j];
    }

    float itemRating(int j) {
        return itemRatings[j];
    }

    /** One stored rating: ids, not dense indices, and the stars as given. */
    @FunctionalInterface
    public interface RatingConsumer {
        void accept(int userId, int movieId, float rating);
    }

    /** Calls {@code f} for every stored rating, by user (ascending id), then by movie (ascending id). */
    public void forEachRating(RatingConsumer f) {
        for (int u = 0; u < userIds.length; u++) {
            for (int j = userPtr[u]; j < userPtr[u + 1]; j++) {
                f.accept(userIds[u], itemIds[userItems[j]], userRatings[j]);
            }
        }
    }

    /** How many ratings of the movie (dense index) lie strictly above {@code midpoint}. */
    public int positives(int item, double midpoint) {
        int n = 0;
        for (int j = itemPtr[item]; j < itemPtr[item + 1]; j++) {
            if (itemRatings[j] > midpoint) n++;
        }
        return n;
    }

    private static int[] distinct(int[] ids, int n) {
        int[] s = Arrays.copyOf(ids, n);
        Arrays.sort(s);
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (i == 0 || s[i] != s[i - 1]) s[k++] = s[i];
        }
        return Arrays.copyOf(s, k);
    }

    /**
     * Counting sort of the triples by row, then each row's entries by column: {ptr, cols, rating bits}.
     * Sorting columns within a row fixes the order of every sum over the row, so results are bitwise
     * the same whatever the input order.
     */
    private static int[][] compress(int[] rows, int[] cols, float[] ratings, int n, int nRows) {
        int[] ptr = new int[nRows + 1];
        for (int i = 0; i < n; i++) ptr[rows[i] + 1]++;
        for (int r = 0; r < nRows; r++) ptr[r + 1] += ptr[r];
        int[] fill = Arrays.copyOf(ptr, nRows);
        long[] packed = new long[n];
        for (int i = 0; i < n; i++) {
            // column in the high half, rating bits in the low half: sorting the longs sorts by column
            packed[fill[rows[i]]++] = ((long) cols[i] << 32) | (Float.floatToRawIntBits(ratings[i]) & 0xffffffffL);
        }
        int[] outCols = new int[n];
        int[] outBits = new int[n];
        for (int r = 0; r < nRows; r++) {
            Arrays.sort(packed, ptr[r], ptr[r + 1]);
            for (int j = ptr[r]; j < ptr[r + 1]; j++) {
                outCols[j] = (int) (packed[j] >>> 32);
                outBits[j] = (int) packed[j];
            }
        }
        return new int[][] {ptr, outCols, outBits};
    }

    private static float[] toFloats(int[] bits) {
        float[] f = new float[bits.length];
        for (int i = 0; i < bits.length; i++) f[i] = Float.intBitsToFloat(bits[i]);
        return f;
    }
}
