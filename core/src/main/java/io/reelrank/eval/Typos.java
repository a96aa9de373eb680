package io.reelrank.eval;

import java.util.SplittableRandom;

/**
 * One typing error in a word, as the typo task makes them: a deletion, a substitution (by another
 * letter a-z) or a transposition of two neighbouring letters, the kind and the place drawn uniformly
 * from a generator seeded by {@code (seed, user_id, movie_id)}, always inside the word, so its first
 * and last letters stay as typed (people rarely mistype those, Damerau 1964, Peterson 1986) and the
 * error is at most one Damerau-Levenshtein edit. A transposition of two equal letters would change
 * nothing and is drawn again. Pure and deterministic.
 */
public final class Typos {

    /** The edit kinds, in the order the generator draws among them. */
    public enum Kind { DELETION, SUBSTITUTION, TRANSPOSITION }

    /** Words shorter than this have too little inside to err in (the task uses words of 5 letters or more). */
    public static final int MIN_LENGTH = 4;

    private Typos() {}

    /** {@code word} with one error, drawn from {@code (seed, userId, movieId)}. */
    public static String typo(String word, long seed, int userId, int movieId) {
        long mixed = seed ^ (userId * 0x9E3779B97F4A7C15L) ^ ((long) movieId * 0xC2B2AE3D27D4EB4FL);
        return oneEdit(word, new SplittableRandom(mixed));
    }

    /**
     * {@code word} with one error inside it, drawn from {@code rng}; the word must have at least {@link #MIN_LENGTH}
     * characters.
     */
    public static String oneEdit(String word, SplittableRandom rng) {
        int n = word.length();
        if (n < MIN_LENGTH) {
            throw new IllegalArgumentException("a typo needs a word of at least " + MIN_LENGTH + " letters, got '"
                    + word + "'");
        }
        for (int attempt = 0; attempt < 100; attempt++) {
            Kind kind = Kind.values()[rng.nextInt(3)];
            switch (kind) {
                case DELETION -> {
                    int i = 1 + rng.nextInt(n - 2); // 1 .. n-2
                    return word.substring(0, i) + word.substring(i + 1);
                }
                case SUBSTITUTION -> {
                    int i = 1 + rng.nextInt(n - 2);
                    char c = word.charAt(i);
                    char r = (char) ('a' + rng.nextInt(25));
                    if (r >= c && c >= 'a' && c <= 'z') r++; // another letter than the one typed
                    if (r > 'z') r = 'a';
                    if (r == c) continue;
                    return word.substring(0, i) + r + word.substring(i + 1);
                }
                case TRANSPOSITION -> {
                    int i = 1 + rng.nextInt(n - 3); // swaps i and i+1, both inside: 1 .. n-3
                    if (word.charAt(i) == word.charAt(i + 1)) continue;
                    return word.substring(0, i) + word.charAt(i + 1) + word.charAt(i) + word.substring(i + 2);
                }
                default -> throw new IllegalStateException(kind.name());
            }
        }
        throw new IllegalStateException("no typo found for '" + word + "' in 100 draws");
    }
}
