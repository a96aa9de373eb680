package io.reelrank.eval;

import io.reelrank.index.Candidate;
import io.reelrank.rank.FeatureSet;
import io.reelrank.rank.Judgments;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Training judgments for the learned search ranker, from ratings alone, by the search task's own
 * protocol ({@link SearchTask}) on a split inside the training data: each held-out rating of 4.0 or
 * more (liked) or 2.0 or less (disliked) gives the queries {@link QueryGenerator} forms for its
 * movie, and each query whose BM25 candidates hold that movie gives one group: the candidates with
 * their features ({@link FeatureContext}, from the split's training part only) and graded labels
 * ({@link Grades}). Dislikes are taught explicitly: the held-out movie of a disliked pair is
 * labelled below the other candidates, so the ranker learns to put what the user will watch but
 * not like below the rest, while liked pairs teach it to put what they will like above. Groups
 * whose movie is not among the candidates teach nothing and are left out. Above {@code cap}
 * groups, a seeded sample of {@code cap} is kept (the same for the same data and seed).
 */
public final class SearchJudgments {

    /**
     * Judgments kept at most: enough for the sample many times over (about 9,700 groups on
     * ml-latest-small), and a bound on memory at 32M ratings: 20,000 groups of 100 candidates ×
     * {@link FeatureSet#WIDTH} features as 4-byte floats, about 216 MB with 27 features.
     */
    public static final int DEFAULT_CAP = 20_000;

    /**
     * The labels: the held-out movie of a liked pair, every other candidate, the held-out movie of a
     * disliked pair. The shipped 2/1/0 was chosen on validation ({@code reelrank bench ltr}).
     */
    public record Grades(float liked, float other, float disliked) {
        public static final Grades DEFAULT = new Grades(2, 1, 0);

        public Grades {
            if (!(disliked >= 0 && other >= disliked && liked > other)) {
                throw new IllegalArgumentException("grades must satisfy liked > other >= disliked >= 0, got " + liked
                        + "/"
                        + other + "/" + disliked);
            }
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s/%s/%s", num(liked), num(other), num(disliked));
        }

        private static String num(float v) {
            return v == Math.rint(v) ? Long.toString((long) v) : Float.toString(v);
        }
    }

    /**
     * The judgments (labelled with the grades given) and, per group, the row of its held-out movie
     * within the group and whether that movie was liked, so other grades can relabel the same
     * features; how many liked and disliked groups, how many (rating, query) pairs there were before
     * the cap, and how many were left out because their movie was not among the candidates.
     */
    public record Built(Judgments judgments, int[] targets, boolean[] likedTargets, int liked, int disliked,
                        int available, int withoutCandidate) {
        /** The same groups labelled with other grades. */
        public Judgments labelled(Grades g) {
            float[] labels = new float[judgments.rows()];
            Arrays.fill(labels, g.other());
            for (int i = 0; i < targets.length; i++) {
                labels[judgments.offset(i) + targets[i]] = likedTargets[i] ? g.liked() : g.disliked();
            }
            return judgments.withLabels(labels);
        }
    }

    private record Pair(int user, int movie, float rating, String query, long key) {}

    private SearchJudgments() {}

    /**
     * @param heldOut    the held-out ratings of the split
     * @param candidates a query's BM25 candidates, best first (as {@link SweepRankers#candidates})
     * @param context    the features from the split's training part
     */
    public static Built build(Ratings heldOut, QueryGenerator queries, Function<String, List<Candidate>> candidates,
                              FeatureContext context, Grades grades, int cap, long seed) {
        if (cap < 1) throw new IllegalArgumentException("the judgment cap must be >= 1 group, got " + cap);
        List<Pair> pairs = new ArrayList<>();
        for (int i = 0; i < heldOut.size(); i++) {
            float r = heldOut.rating(i);
            if (!(r >= RecommendationTask.LIKED || r <= SearchTask.DISLIKED)) continue;
            int user = heldOut.userId(i);
            int movie = heldOut.movieId(i);
            List<String> qs = new ArrayList<>(2);
            queries.titleQuery(movie).ifPresent(qs::add);
            queries.genreQuery(movie).ifPresent(qs::add);
            for (String q : qs) pairs.add(new Pair(user, movie, r, q, mix(seed, user, movie, q)));
        }
        // The sample under the cap: the pairs with the smallest seeded hashes, then back in held-out order.
        List<Pair> kept = pairs;
        if (pairs.size() > cap) {
            Pair[] byKey = pairs.toArray(new Pair[0]);
            Arrays.sort(byKey, Comparator.comparingLong(Pair::key));
            java.util.Set<Pair> chosen = new java.util.HashSet<>(Arrays.asList(byKey).subList(0, cap));
            kept = new ArrayList<>();
            for (Pair p : pairs) if (chosen.contains(p)) kept.add(p);
        }
        Judgments.Builder b = new Judgments.Builder();
        int liked = 0;
        int disliked = 0;
        int without = 0;
        List<Integer> targets = new ArrayList<>();
        List<Boolean> likedTargets = new ArrayList<>();
        for (Pair p : kept) {
            List<Candidate> cs = candidates.apply(p.query());
            int target = -1;
            for (int j = 0; j < cs.size(); j++) if (cs.get(j).movieId() == p.movie()) target = j;
            if (target < 0) {
                without++;
                continue;
            }
            float[] x = context.features(p.query(), p.user(), cs);
            float[] labels = new float[cs.size()];
            Arrays.fill(labels, grades.other());
            boolean isLiked = p.rating() >= RecommendationTask.LIKED;
            labels[target] = isLiked ? grades.liked() : grades.disliked();
            if (isLiked) liked++;
            else disliked++;
            b.group(p.user(), x, labels);
            targets.add(target);
            likedTargets.add(isLiked);
        }
        boolean[] lt = new boolean[likedTargets.size()];
        for (int i = 0; i < lt.length; i++) lt[i] = likedTargets.get(i);
        return new Built(b.build(), targets.stream().mapToInt(Integer::intValue).toArray(), lt, liked, disliked,
                pairs.size(), without);
    }

    private static long mix(long seed, int user, int movie, String query) {
        long h = seed ^ 0x9E3779B97F4A7C15L * (user + 1L);
        h ^= (movie + 1L) * 0xC2B2AE3D27D4EB4FL;
        h ^= query.hashCode() * 0x165667B19E3779F9L;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return h;
    }
}
