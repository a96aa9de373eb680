package io.reelrank.model;

import java.util.Arrays;
import java.util.TreeSet;
import java.util.function.IntFunction;

/**
 * What is known about every catalog movie without any rating: its content vector (the item tower's
 * centered, unit MiniLM embedding; null when not embedded), its genres and its year (null when
 * unknown). {@link ContentMapping} maps these features into the collaborative factor space, so a
 * movie nobody has rated yet still gets a factor vector. The caller passes parallel arrays ordered
 * by movie_id and a lookup of the content vectors the rest of the system uses.
 */
public final class ItemContent {

    /** Year features are {@code (year − 1995)/25}: centered on the catalog's bulk, about unit scale. */
    static final double YEAR_CENTER = 1995;
    static final double YEAR_SCALE = 25;

    private final int[] movieIds;
    private final IntFunction<float[]> vectors;
    private final String[][] genres;
    private final Integer[] years;
    private final String[] vocabulary;
    private final int contentDim;

    public ItemContent(int[] movieIds, IntFunction<float[]> vectors, String[][] genres, Integer[] years) {
        if (genres.length != movieIds.length || years.length != movieIds.length) {
            throw new IllegalArgumentException("genres and years must be parallel to movie ids, got " + movieIds.length
                    + " ids, " + genres.length + " genre lists, " + years.length + " years");
        }
        for (int i = 1; i < movieIds.length; i++) {
            if (movieIds[i] <= movieIds[i - 1]) {
                throw new IllegalArgumentException("movie ids must be ascending and distinct, got " + movieIds[i - 1]
                        + " before " + movieIds[i]);
            }
        }
        this.movieIds = movieIds.clone();
        this.vectors = vectors;
        this.genres = genres.clone();
        this.years = years.clone();
        TreeSet<String> vocab = new TreeSet<>();
        int dim = 0;
        for (int i = 0; i < movieIds.length; i++) {
            vocab.addAll(Arrays.asList(genres[i]));
            float[] v = vectors.apply(movieIds[i]);
            if (v != null) dim = v.length;
        }
        this.vocabulary = vocab.toArray(new String[0]);
        this.contentDim = dim;
    }

    public int size() {
        return movieIds.length;
    }

    public int[] movieIds() {
        return movieIds.clone();
    }

    int movieId(int i) {
        return movieIds[i];
    }

    /** The position of a movie id, or negative when it is not in the catalog. */
    int indexOf(int movieId) {
        return Arrays.binarySearch(movieIds, movieId);
    }

    boolean hasVector(int i) {
        return vectors.apply(movieIds[i]) != null;
    }

    /**
     * Feature count: content dimensions + one per genre + year, year², year unknown + a constant.
     * A movie without a content vector has no features: it can only be mapped when embedded.
     */
    int featureCount() {
        return contentDim + vocabulary.length + 4;
    }

    /** The feature row of catalog movie {@code i} into {@code out[0..featureCount)}; false when it has no vector. */
    boolean features(int i, double[] out) {
        float[] v = vectors.apply(movieIds[i]);
        if (v == null) return false;
        Arrays.fill(out, 0);
        for (int d = 0; d < contentDim; d++) out[d] = v[d];
        for (String g : genres[i]) {
            int pos = Arrays.binarySearch(vocabulary, g);
            if (pos >= 0) out[contentDim + pos] = 1;
        }
        int base = contentDim + vocabulary.length;
        if (years[i] == null) {
            out[base + 2] = 1;
        } else {
            double y = (years[i] - YEAR_CENTER) / YEAR_SCALE;
            out[base] = y;
            out[base + 1] = y * y;
        }
        out[base + 3] = 1;
        return true;
    }
}
