package io.reelrank.feedback;

import java.util.List;

/**
 * The verdict of an interleaving experiment from its impressions' outcomes: wins of A, losses (wins
 * of B) and ties; the two-sided sign test; a 95% (or any) interval for A's share of the decided
 * impressions; the preference Δ_AB of Chapelle, Joachims, Radlinski &amp; Yue ("Large-scale
 * validation and analysis of interleaved search evaluation", ACM TOIS 30(1), 2012, §4):
 * {@code Δ_AB = (wins + ½·ties) / (wins + losses + ties) − ½ = (wins − losses) / (2·n)}, positive when
 * A is preferred; and how many impressions it took until the sign test first fell below a level.
 * Pure functions over counts; the caller decides what an impression is (one interleaved response).
 */
public final class Preference {

    /** The z of a two-sided 95% interval, Φ⁻¹(0.975). */
    public static final double Z95 = 1.959963984540054;

    private Preference() {}

    /** Counts of one experiment. */
    public record Tally(long wins, long losses, long ties) {

        public Tally {
            if (wins < 0 || losses < 0 || ties < 0) {
                throw new IllegalArgumentException("counts must be >= 0, got wins " + wins + ", losses " + losses
                        + ", ties " + ties);
            }
        }

        public static Tally of(List<TeamDraft.Outcome> outcomes) {
            long w = 0, l = 0, t = 0;
            for (TeamDraft.Outcome o : outcomes) {
                switch (o) {
                    case A_WINS -> w++;
                    case B_WINS -> l++;
                    default -> t++;
                }
            }
            return new Tally(w, l, t);
        }

        public long impressions() {
            return wins + losses + ties;
        }

        public long decided() {
            return wins + losses;
        }

        /** Δ_AB of Chapelle et al. 2012: {@code (wins − losses) / (2·impressions)}; 0 without impressions. */
        public double delta() {
            long n = impressions();
            return n == 0 ? 0 : (wins - losses) / (2.0 * n);
        }

        /**
         * A normal interval for Δ_AB: each impression scores +½, 0 or −½; Δ ± z·sd/√n, sd the scores'
         * standard deviation (n − 1 in the denominator).
         */
        public double[] deltaInterval(double z) {
            long n = impressions();
            if (n < 2) return new double[] {-0.5, 0.5};
            double mean = delta();
            double sumSq = 0.25 * (wins + losses);
            double var = (sumSq - n * mean * mean) / (n - 1);
            double half = z * Math.sqrt(Math.max(0, var) / n);
            return new double[] {Math.max(-0.5, mean - half), Math.min(0.5, mean + half)};
        }

        /** A's share of the decided impressions, {@code wins / (wins + losses)}; ½ when none was decided. */
        public double winShare() {
            return decided() == 0 ? 0.5 : (double) wins / decided();
        }

        /** The two-sided sign test's p-value of wins against losses, ties left out ({@link #signTest}). */
        public double pValue() {
            return signTest(wins, losses);
        }

        /** The Wilson score interval for {@link #winShare} at this z ({@link #wilson}). */
        public double[] winShareInterval(double z) {
            return wilson(wins, decided(), z);
        }
    }

    /**
     * The exact two-sided sign test (binomial test with p = ½) of {@code wins} against {@code losses}:
     * {@code p = min(1, 2·P(X ≤ min(wins, losses)))}, X ~ Binomial(wins + losses, ½); 1 when nothing was
     * decided. Summed term by term from the tail's inner end outward, in logs (the binomial
     * coefficients from the log-gamma function), until the terms no longer change the sum, so it stays
     * exact to double precision for any n at a cost of about √n terms.
     */
    public static double signTest(long wins, long losses) {
        if (wins < 0 || losses < 0) {
            throw new IllegalArgumentException("wins and losses must be >= 0, got " + wins + " and " + losses);
        }
        long n = wins + losses;
        if (n == 0) return 1.0;
        long m = Math.min(wins, losses);
        double logHalfN = n * Math.log(0.5);
        double logNFact = logGamma(n + 1.0);
        double sum = 0;
        for (long i = m; i >= 0; i--) {
            double term = Math.exp(logNFact - logGamma(i + 1.0) - logGamma(n - i + 1.0) + logHalfN);
            sum += term;
            if (term < sum * 1e-17) break;
        }
        return Math.min(1.0, 2 * sum);
    }

    /**
     * The Wilson score interval (Wilson 1927; Agresti &amp; Coull 1998) for a share x / n:
     * {@code (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)}; [0, 1] when n = 0.
     */
    public static double[] wilson(long x, long n, double z) {
        if (x < 0 || n < 0 || x > n) throw new IllegalArgumentException("need 0 <= x <= n, got x " + x + ", n " + n);
        if (n == 0) return new double[] {0, 1};
        double p = (double) x / n;
        double z2 = z * z;
        double centre = p + z2 / (2.0 * n);
        double half = z * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        double d = 1 + z2 / n;
        return new double[] {Math.max(0, (centre - half) / d), Math.min(1, (centre + half) / d)};
    }

    /**
     * The number of impressions, counted from the first, after which the sign test of the impressions
     * so far first falls below {@code alpha}; -1 when it never does.
     */
    public static long impressionsToSignificance(List<TeamDraft.Outcome> outcomes, double alpha) {
        if (!(alpha > 0 && alpha < 1)) throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
        long w = 0, l = 0;
        for (int i = 0; i < outcomes.size(); i++) {
            TeamDraft.Outcome o = outcomes.get(i);
            if (o == TeamDraft.Outcome.TIE) continue; // a tie leaves the test as it was
            if (o == TeamDraft.Outcome.A_WINS) w++;
            else l++;
            if (signTest(w, l) < alpha) return i + 1;
        }
        return -1;
    }

    /**
     * ln Γ(x) by the Lanczos approximation (Lanczos 1964) with g = 7 and Godfrey's 9 coefficients, the
     * reflection formula below ½; PreferenceTest checks it against Python's math.lgamma.
     */
    static double logGamma(double x) {
        if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
        double[] c = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7};
        x -= 1;
        double a = c[0];
        double t = x + 7.5;
        for (int i = 1; i < 9; i++) a += c[i] / (x + i);
        return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
    }
}
