package io.reelrank.rank;

import java.util.Arrays;
import java.util.List;

/**
 * Training judgments for a {@link Ranker}: groups of candidate rows (one group per query and user),
 * each row its {@link FeatureSet} features and a graded label (higher: should rank higher), the
 * groups' rows contiguous. Built with {@link Builder}; immutable once built. {@link #subset} keeps
 * some groups (by index), for fitting on one part of the users and choosing on the other.
 */
public final class Judgments {

    private final float[] x;
    private final float[] labels;
    private final int[] sizes;
    private final int[] offsets;
    private final int[] users;

    private Judgments(float[] x, float[] labels, int[] sizes, int[] users) {
        this.x = x;
        this.labels = labels;
        this.sizes = sizes;
        this.users = users;
        this.offsets = new int[sizes.length + 1];
        for (int g = 0; g < sizes.length; g++) offsets[g + 1] = offsets[g] + sizes[g];
    }

    public int groups() {
        return sizes.length;
    }

    public int rows() {
        return labels.length;
    }

    /** The features, row-major, {@link FeatureSet#WIDTH} per row; shared, not to be modified. */
    float[] x() {
        return x;
    }

    /** The labels, one per row; shared, not to be modified. */
    float[] labels() {
        return labels;
    }

    public int[] groupSizes() {
        return sizes.clone();
    }

    /** The user of group g. */
    public int user(int g) {
        return users[g];
    }

    public int offset(int g) {
        return offsets[g];
    }

    public float label(int row) {
        return labels[row];
    }

    /** The rows of group g, a copy. */
    public float[] features(int g) {
        return Arrays.copyOfRange(x, offsets[g] * FeatureSet.WIDTH, offsets[g + 1] * FeatureSet.WIDTH);
    }

    /** The same groups and features with other labels, one per row (the features are shared, not copied). */
    public Judgments withLabels(float[] rowLabels) {
        if (rowLabels.length != labels.length) {
            throw new IllegalArgumentException("labels must be one per row (" + labels.length + "), got "
                    + rowLabels.length);
        }
        return new Judgments(x, rowLabels.clone(), sizes, users);
    }

    /** These groups followed by {@code more}'s (null: these alone). */
    public Judgments with(Judgments more) {
        if (more == null || more.groups() == 0) return this;
        Builder b = new Builder();
        for (Judgments j : List.of(this, more)) {
            for (int g = 0; g < j.groups(); g++) {
                b.group(j.users[g], j.features(g), Arrays.copyOfRange(j.labels, j.offsets[g], j.offsets[g + 1]));
            }
        }
        return b.build();
    }

    /** The groups whose indices are given, in that order. */
    public Judgments subset(int[] groupIndices) {
        Builder b = new Builder();
        for (int g : groupIndices) {
            b.group(users[g], Arrays.copyOfRange(x, offsets[g] * FeatureSet.WIDTH, offsets[g + 1] * FeatureSet.WIDTH),
                    Arrays.copyOfRange(labels, offsets[g], offsets[g + 1]));
        }
        return b.build();
    }

    /** Collects groups; not thread-safe. */
    public static final class Builder {
        private float[] x = new float[1 << 16];
        private float[] labels = new float[1 << 12];
        private int[] sizes = new int[256];
        private int[] users = new int[256];
        private int rows;
        private int groups;

        /** One group: the user, its rows' features ({@link FeatureSet} layout) and their labels. */
        public Builder group(int user, float[] features, float[] rowLabels) {
            int n = rowLabels.length;
            if (features.length != n * FeatureSet.WIDTH) {
                throw new IllegalArgumentException("features must hold " + n + " × " + FeatureSet.WIDTH
                        + " values, got "
                        + features.length);
            }
            while (x.length < (rows + n) * FeatureSet.WIDTH) x = Arrays.copyOf(x, x.length * 2);
            while (labels.length < rows + n) labels = Arrays.copyOf(labels, labels.length * 2);
            if (groups == sizes.length) {
                sizes = Arrays.copyOf(sizes, groups * 2);
                users = Arrays.copyOf(users, groups * 2);
            }
            System.arraycopy(features, 0, x, rows * FeatureSet.WIDTH, features.length);
            System.arraycopy(rowLabels, 0, labels, rows, n);
            sizes[groups] = n;
            users[groups++] = user;
            rows += n;
            return this;
        }

        public int groups() {
            return groups;
        }

        public Judgments build() {
            return new Judgments(Arrays.copyOf(x, rows * FeatureSet.WIDTH), Arrays.copyOf(labels, rows),
                    Arrays.copyOf(sizes, groups), Arrays.copyOf(users, groups));
        }
    }
}
