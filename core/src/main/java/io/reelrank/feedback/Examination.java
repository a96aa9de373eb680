package io.reelrank.feedback;

/**
 * The probability that the user examined position {@code position} (1-based) of a session, relative to
 * the top position (which a click model takes as always examined): what a click there is divided by
 * to undo position bias ({@link ClickJudgments}). The click models implement it.
 */
@FunctionalInterface
public interface Examination {

    double propensity(Session session, int position);
}
