package io.reelrank.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * Trains a complete collaborative model from a rating matrix, in memory, in three stages:
 * <ol>
 *   <li>{@link ImplicitAls} factors for every user and rated movie;</li>
 *   <li>the cold-item tower: {@link ContentMapping} fit on movies with at least {@code minFit}
 *       positive ratings, then each catalog movie's served vector
 *       {@code v_i = w_i·y_i + (1 − w_i)·x_i W} (content-mapped alone for a movie nobody rated);</li>
 *   <li>every user solved once more against the served vectors, the user step of ALS, so that a
 *       user's stored vector is exactly what fold-in gives for the same ratings.</li>
 * </ol>
 * A {@link FactorEngine} runs stage 1: in-process, or on a Spark cluster (same formula,
 * {@link ImplicitAls}); stages 2 and 3 always run here, on its factors. Deterministic for a seed
 * and an engine. The caller passes the catalog's content, the engine and a thread count, and stores
 * the result ({@link ModelStore}) or scores with it directly (eval).
 */
public final class ModelTrainer {

    /**
     * Everything a training needs besides the data.
     *
     * @param blend  m of the blend weight {@code n⁺/(n⁺ + m)}, ≥ 0 (0: learned factors only, where they exist)
     * @param ridge  μ of the content mapping's ridge regression, > 0
     * @param minFit positive ratings a movie needs to be a training example of the content mapping, ≥ 1
     */
    public record Settings(ImplicitAls.Params als, double blend, double ridge, int minFit) {
        public Settings {
            if (!(blend >= 0) || Double.isInfinite(blend)) {
                throw new IllegalArgumentException("blend m must be a finite number >= 0, got " + blend);
            }
            if (!(ridge > 0) || Double.isInfinite(ridge)) {
                throw new IllegalArgumentException("ridge must be a finite number > 0, got " + ridge);
            }
            if (minFit < 1) throw new IllegalArgumentException("min-fit must be >= 1 positive rating, got " + minFit);
        }

        public Settings withAls(ImplicitAls.Params p) {
            return new Settings(p, blend, ridge, minFit);
        }

        @Override
        public String toString() {
            return als + String.format(Locale.ROOT, " blend m=%s ridge μ=%s min-fit=%d", Numbers.plain(blend),
                    Numbers.plain(ridge), minFit);
        }
    }

    /** The trained model: served item vectors and every training user's vector (null: no positive rating). */
    public record Trained(FactorModel model, int[] userIds, float[][] users, int learnedItems, int mappedItems,
                          int fittedItems, double seconds) {
        /** The user's vector, or null when the user had no positive rating or no rating at all. */
        public float[] user(int userId) {
            int i = Arrays.binarySearch(userIds, userId);
            return i < 0 ? null : users[i];
        }
    }

    /** Told when a stage starts and ends, so a command can show progress. */
    public interface Listener extends ImplicitAls.Listener {
        Listener NONE = new Listener() {
            @Override
            public void halfStep(int iteration, int iterations, String side, double seconds) {}

            @Override
            public void stage(String name, double seconds) {}
        };

        void stage(String name, double seconds);
    }

    private ModelTrainer() {}

    /** Trains with stage 1 in-process on {@code threads} threads. */
    public static Trained train(RatingMatrix m, ItemContent content, Settings s, int threads, Listener listener) {
        return train(m, content, s, FactorEngine.inProcess(threads), threads, listener);
    }

    /** Trains with stage 1 on {@code engine}; stages 2 and 3 on {@code threads} threads here. */
    public static Trained train(RatingMatrix m, ItemContent content, Settings s, FactorEngine engine, int threads,
                                Listener listener) {
        long t0 = System.nanoTime();
        ImplicitAls.Params p = s.als();
        int k = p.rank();
        ImplicitAls.Factors f = engine.train(m, p, listener);
        if (f.rank() != k || f.users().length != m.users() * k || f.items().length != m.items() * k) {
            throw new IllegalStateException(engine.describe() + " returned factors of rank " + f.rank() + " for "
                    + f.users().length + " / " + f.items().length + " floats; expected rank " + k + ", "
                    + m.users() * k + " user and " + m.items() * k + " item floats");
        }
        listener.stage("factors (" + engine.describe() + ")", Elapsed.seconds(t0));

        long t1 = System.nanoTime();
        int[] catalogRow = new int[content.size()]; // catalog position -> ALS item row, -1 when unrated
        int[] positives = new int[m.items()];
        for (int i = 0; i < m.items(); i++) positives[i] = m.positives(i, p.midpoint());
        int[] fit = new int[content.size()];
        int[] fitRows = new int[content.size()];
        int nFit = 0;
        for (int c = 0; c < content.size(); c++) {
            catalogRow[c] = m.itemIndex(content.movieId(c));
            if (catalogRow[c] >= 0 && positives[catalogRow[c]] >= s.minFit() && content.hasVector(c)) {
                fit[nFit] = c;
                fitRows[nFit++] = catalogRow[c];
            }
        }
        ContentMapping mapping = ContentMapping.fit(content, Arrays.copyOf(fit, nFit), f.items(),
                Arrays.copyOf(fitRows, nFit), k, s.ridge());

        // Served vectors: catalog movies, plus rated movies missing from the catalog (learned only).
        int[] ids = new int[content.size() + m.items()];
        float[] vec = new float[ids.length * k];
        float[] share = new float[ids.length];
        int n = 0;
        int learned = 0;
        int mapped = 0;
        double[] scratch = new double[content.featureCount()];
        float[] mappedRow = new float[k];
        int c = 0;
        int r = 0;
        while (c < content.size() || r < m.items()) {
            int cid = c < content.size() ? content.movieId(c) : Integer.MAX_VALUE;
            int rid = r < m.items() ? m.itemId(r) : Integer.MAX_VALUE;
            if (rid < cid) { // rated, not in the catalog: learned factors as they are
                System.arraycopy(f.items(), r * k, vec, n * k, k);
                share[n] = 1;
                ids[n++] = rid;
                learned++;
                r++;
                continue;
            }
            boolean rated = rid == cid;
            boolean hasMap = mapping != null && mapping.map(content, c, scratch, mappedRow, 0);
            if (rated) {
                double w = hasMap ? ContentMapping.blendWeight(positives[r], s.blend()) : 1;
                for (int d = 0; d < k; d++) {
                    vec[n * k + d] = (float) (w * f.items()[r * k + d] + (1 - w) * (hasMap ? mappedRow[d] : 0));
                }
                share[n] = (float) w;
                ids[n++] = cid;
                learned++;
                r++;
            } else if (hasMap) {
                System.arraycopy(mappedRow, 0, vec, n * k, k);
                share[n] = 0;
                ids[n++] = cid;
                mapped++;
            }
            c++;
        }
        FactorModel model = new FactorModel(0, p, Arrays.copyOf(ids, n), Arrays.copyOf(vec, n * k),
                Arrays.copyOf(share, n));
        int fitted = mapping == null ? 0 : mapping.fitted();
        listener.stage("content mapping: fit on " + fitted + " movies, " + mapped + " unrated movies mapped",
                Elapsed.seconds(t1));

        long t2 = System.nanoTime();
        float[][] users = solveUsers(m, model, threads);
        listener.stage("users against the served item vectors", Elapsed.seconds(t2));
        return new Trained(model, m.userIds(), users, learned, mapped, fitted, Elapsed.seconds(t0));
    }

    /** Every user of {@code m} folded in against {@code model}, in parallel; row i is user {@code m.userId(i)}. */
    static float[][] solveUsers(RatingMatrix m, FactorModel model, int threads) {
        float[][] out = new float[m.users()][];
        java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(threads);
        try {
            pool.submit(() -> java.util.stream.IntStream.range(0, m.users()).parallel().forEach(u -> {
                int from = m.userStart(u);
                int to = m.userEnd(u);
                int[] movies = new int[to - from];
                float[] ratings = new float[to - from];
                for (int j = from; j < to; j++) {
                    movies[j - from] = m.itemId(m.userItem(j));
                    ratings[j - from] = m.userRating(j);
                }
                out[u] = model.foldIn(movies, ratings, movies.length);
            })).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("training interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return out;
    }
}
