package io.reelrank.eval;

import java.util.Arrays;

/**
 * An immutable, column-oriented set of ratings {@code (user_id, movie_id, rating, rated_at)}: four
 * primitive arrays instead of one object per rating, so that MovieLens' 100k (or 25M) ratings fit in
 * memory cheaply. Build one with {@link #builder}; {@code ratedAt} may be in any unit (epoch seconds
 * from the CSVs, epoch microseconds from PostgreSQL), only its order is used. {@link #forEachUser}
 * needs the ratings sorted by user: {@link Splits} returns them so, {@link #sortedByUserThenTime}
 * sorts any set.
 */
public final class Ratings {

    /** Receives one user's ratings as the index range {@code [from, to)} of the set. */
    @FunctionalInterface
    public interface UserRange {
        void accept(int userId, int from, int to);
    }

    private final int[] users;
    private final int[] movies;
    private final float[] ratings;
    private final long[] ratedAt;
    private final int size;
    private final boolean sortedByUser;

    private Ratings(int[] users, int[] movies, float[] ratings, long[] ratedAt, int size) {
        this.users = users;
        this.movies = movies;
        this.ratings = ratings;
        this.ratedAt = ratedAt;
        this.size = size;
        boolean sorted = true;
        for (int i = 1; i < size && sorted; i++) {
            sorted = users[i - 1] <= users[i];
        }
        this.sortedByUser = sorted;
    }

    public static Builder builder() {
        return new Builder(1024);
    }

    public int size() {
        return size;
    }

    public int userId(int i) {
        return users[check(i)];
    }

    public int movieId(int i) {
        return movies[check(i)];
    }

    public float rating(int i) {
        return ratings[check(i)];
    }

    public long ratedAt(int i) {
        return ratedAt[check(i)];
    }

    /** The global mean μ of these ratings, the value the user tower shrinks each user's mean toward. */
    public double meanRating() {
        if (size == 0) {
            throw new IllegalStateException("mean of an empty rating set is undefined");
        }
        double sum = 0;
        for (int i = 0; i < size; i++) {
            sum += ratings[i];
        }
        return sum / size;
    }

    /** Whether {@link #forEachUser} can be called without sorting first. */
    public boolean isSortedByUser() {
        return sortedByUser;
    }

    /** The ratings of every user not in {@code excluded}, in their order. */
    public Ratings without(java.util.Set<Integer> excluded) {
        Builder b = builder();
        for (int i = 0; i < size(); i++) {
            if (!excluded.contains(userId(i))) b.add(userId(i), movieId(i), rating(i), ratedAt(i));
        }
        return b.build();
    }

    /** A copy ordered by (user_id, rated_at, movie_id): each user's ratings contiguous, oldest first. */
    public Ratings sortedByUserThenTime() {
        int[] idx = identity(size);
        IntSort.sort(idx, (a, b) -> {
            int c = Integer.compare(users[a], users[b]);
            if (c != 0) return c;
            c = Long.compare(ratedAt[a], ratedAt[b]);
            return c != 0 ? c : Integer.compare(movies[a], movies[b]);
        });
        return select(idx, size);
    }

    /** Calls {@code f} once per user, in ascending user_id; the ratings must be sorted by user. */
    public void forEachUser(UserRange f) {
        if (!sortedByUser) {
            throw new IllegalStateException("ratings must be sorted by user_id; call sortedByUserThenTime() first");
        }
        int from = 0;
        while (from < size) {
            int to = from + 1;
            while (to < size && users[to] == users[from]) {
                to++;
            }
            f.accept(users[from], from, to);
            from = to;
        }
    }

    /** The movie ids of {@code [from, to)}, a fresh array the caller may keep. */
    public int[] movieIds(int from, int to) {
        return Arrays.copyOfRange(movies, checkRange(from, to), to);
    }

    /** The ratings of {@code [from, to)}, a fresh array the caller may keep. */
    public float[] ratings(int from, int to) {
        return Arrays.copyOfRange(ratings, checkRange(from, to), to);
    }

    /** The ratings at the given indices, in that order. */
    Ratings select(int[] idx, int n) {
        int[] u = new int[n];
        int[] m = new int[n];
        float[] r = new float[n];
        long[] t = new long[n];
        for (int j = 0; j < n; j++) {
            int i = idx[j];
            u[j] = users[i];
            m[j] = movies[i];
            r[j] = ratings[i];
            t[j] = ratedAt[i];
        }
        return new Ratings(u, m, r, t, n);
    }

    static int[] identity(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return idx;
    }

    private int check(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("rating index must be in [0, " + size + "), got " + i);
        }
        return i;
    }

    private int checkRange(int from, int to) {
        if (from < 0 || to > size || from > to) {
            throw new IndexOutOfBoundsException("range must lie in [0, " + size + "], got [" + from + ", " + to + ")");
        }
        return from;
    }

    /** Collects ratings into growing primitive arrays; not thread-safe. */
    public static final class Builder {
        private int[] users;
        private int[] movies;
        private float[] ratings;
        private long[] ratedAt;
        private int size;

        Builder(int capacity) {
            users = new int[capacity];
            movies = new int[capacity];
            ratings = new float[capacity];
            ratedAt = new long[capacity];
        }

        /** Adds one rating; MovieLens ratings lie in [0.5, 5.0], as the schema's CHECK requires. */
        public Builder add(int userId, int movieId, double rating, long ratedAt) {
            if (!(rating >= 0.5 && rating <= 5.0)) {
                throw new IllegalArgumentException("rating must be in [0.5, 5.0], got " + rating
                        + " (user " + userId + ", movie " + movieId + ")");
            }
            if (size == users.length) {
                int cap = Math.max(16, size * 2);
                users = Arrays.copyOf(users, cap);
                movies = Arrays.copyOf(movies, cap);
                this.ratings = Arrays.copyOf(this.ratings, cap);
                this.ratedAt = Arrays.copyOf(this.ratedAt, cap);
            }
            users[size] = userId;
            movies[size] = movieId;
            this.ratings[size] = (float) rating;
            this.ratedAt[size] = ratedAt;
            size++;
            return this;
        }

        public Ratings build() {
            // Copies, so that adding after build() cannot change a set already handed out.
            return new Ratings(Arrays.copyOf(users, size), Arrays.copyOf(movies, size),
                    Arrays.copyOf(ratings, size), Arrays.copyOf(ratedAt, size), size);
        }
    }
}
