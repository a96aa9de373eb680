package io.reelrank.eval;

/**
 * Turns scores into the ranked lists that {@link Metrics} judges, with one rule for equal scores:
 * the smaller movie_id ranks first, as everywhere in reelrank, so that a ranking and every metric on
 * it are the same from run to run. (Lucene and Anserini break score ties by document id for the
 * same reason.) Callers pass parallel arrays of movie ids and finite scores, higher is better.
 */
public final class Ranking {

    private Ranking() {}

    /** All ids ordered by score descending, ties by id ascending. */
    public static int[] order(int[] ids, double[] scores) {
        return topK(ids, scores, ids.length);
    }

    /** The best {@code min(k, ids.length)} ids, ordered by score descending, ties by id ascending. */
    public static int[] topK(int[] ids, double[] scores, int k) {
        if (ids.length != scores.length) {
            throw new IllegalArgumentException("ids and scores must have one length, got " + ids.length
                    + " and " + scores.length);
        }
        if (k < 0) {
            throw new IllegalArgumentException("k must be >= 0, got " + k);
        }
        for (int i = 0; i < ids.length; i++) {
            if (!Double.isFinite(scores[i])) {
                throw new IllegalArgumentException("score of movie " + ids[i] + " must be finite, got " + scores[i]);
            }
        }
        int n = Math.min(k, ids.length);
        if (n == ids.length) {
            int[] idx = Ratings.identity(ids.length);
            IntSort.sort(idx, (a, b) -> compare(ids[a], scores[a], ids[b], scores[b]));
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                out[i] = ids[idx[i]];
            }
            return out;
        }
        // Small k over many candidates (20 of 10,000 movies): keep a sorted buffer, insert by shifting.
        int[] bestId = new int[n];
        double[] bestScore = new double[n];
        int filled = 0;
        for (int i = 0; i < ids.length; i++) {
            if (n == 0 || (filled == n && compare(ids[i], scores[i], bestId[n - 1], bestScore[n - 1]) >= 0)) {
                continue;
            }
            int pos = filled == n ? n - 1 : filled++;
            while (pos > 0 && compare(ids[i], scores[i], bestId[pos - 1], bestScore[pos - 1]) < 0) {
                bestId[pos] = bestId[pos - 1];
                bestScore[pos] = bestScore[pos - 1];
                pos--;
            }
            bestId[pos] = ids[i];
            bestScore[pos] = scores[i];
        }
        return bestId;
    }

    /** Negative when (idA, a) ranks before (idB, b): higher score first, then smaller id. */
    static int compare(int idA, double a, int idB, double b) {
        int c = Double.compare(b, a);
        return c != 0 ? c : Integer.compare(idA, idB);
    }
}
