package io.reelrank.model;

import java.util.Arrays;

/**
 * One user's ratings collected as they are read, movie ids and stars side by side in arrays that
 * double when full: what reading a user's history, the user tower's pass over every rating and the
 * fold-in benchmark share.
 */
public final class RatingBuffer {

    private int[] movies;
    private float[] stars;
    private int size;

    public RatingBuffer(int capacity) {
        movies = new int[Math.max(1, capacity)];
        stars = new float[movies.length];
    }

    public void add(int movie, float rating) {
        if (size == movies.length) {
            movies = Arrays.copyOf(movies, size * 2);
            stars = Arrays.copyOf(stars, size * 2);
        }
        movies[size] = movie;
        stars[size++] = rating;
    }

    public int size() {
        return size;
    }

    /** Empties the buffer, keeping its arrays for the next user. */
    public void clear() {
        size = 0;
    }

    /** The backing array: its first {@link #size()} entries, until the next {@link #add}. */
    public int[] movies() {
        return movies;
    }

    /** The backing array: its first {@link #size()} entries, until the next {@link #add}. */
    public float[] stars() {
        return stars;
    }

    /** A copy of what was added. */
    public RatingHistory history() {
        return new RatingHistory(Arrays.copyOf(movies, size), Arrays.copyOf(stars, size));
    }
}
