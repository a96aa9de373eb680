package io.reelrank.service;

import io.reelrank.feedback.Preference;
import io.reelrank.feedback.TeamDraft;
import io.reelrank.rerank.PersonalizedSearch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The verdict of an experiment from what the servers logged (docs/experiments.md). An impression is one
 * answer served under the experiment (a {@code request_log} row with its {@code experiment_id}); its
 * clicks are the click events naming that request ({@code events}, type click), each credited by the
 * arm the request log says placed the clicked position, never by anything the client sent. Interleaving:
 * per impression, {@link TeamDraft#credit} decides a win of A, a loss (a win of B) or a tie; the counts
 * give the sign test's p-value, the Wilson interval of A's share of the decided impressions, Δ_AB with
 * its interval, and the impressions after which p first fell below 0.01 ({@link Preference}), in the
 * order the impressions were served. A/B: per arm, the answers, their clicks and the click-through rate
 * (the share of answers with at least one click) with its Wilson interval, and the difference of the two
 * rates with Newcombe's interval. Read-only; a stopped experiment reports as a running one.
 */
public final class ExperimentReport {

    /** The verdict of an interleaving experiment; {@code outcomes} in serving order (for the plot). */
    public record Interleaved(long impressions, long clicksA, long clicksB, Preference.Tally tally, double pValue,
                              double[] winShareInterval, double delta, double[] deltaInterval,
                              long impressionsToP01, List<TeamDraft.Outcome> outcomes) {}

    /** One arm of an A/B experiment: answers, answers with a click, clicks, click-through and its interval. */
    public record Bucket(long answers, long clickedAnswers, long clicks, double ctr, double[] ctrInterval) {}

    /** The verdict of an A/B experiment: both buckets and the difference of their rates (A − B) with its interval. */
    public record Buckets(Bucket a, Bucket b, double difference, double[] differenceInterval) {}

    /** A report: the experiment and the verdict of its kind (the other null). */
    public record Report(Experiments.Experiment experiment, Interleaved interleaved, Buckets buckets) {}

    private ExperimentReport() {}

    /** The report of experiment {@code id} (null: the running one, else the newest). */
    public static Report of(Connection c, Integer id) throws SQLException {
        Experiments.Experiment x = Experiments.find(c, id);
        List<Impression> shown = impressions(c, x.id());
        if (x.kind() == Experiments.Kind.INTERLEAVE) return new Report(x, interleaved(shown), null);
        return new Report(x, null, buckets(shown));
    }

    /** One logged answer: the arm of each position and the clicked positions (1-based, each once). */
    record Impression(short[] arms, int[] clicked) {}

    /** The experiment's answers in serving order, each with its clicked positions. */
    static List<Impression> impressions(Connection c, int experiment) throws SQLException {
        List<Impression> out = new ArrayList<>();
        // The click's position is checked against the request when posted; DISTINCT: one credit per position.
        String sql = "SELECT r.arms, (SELECT array_agg(DISTINCT e.position ORDER BY e.position) FROM events e "
                + "WHERE e.request_id = r.request_id AND e.type = 'click' AND e.position IS NOT NULL) "
                + "FROM request_log r WHERE r.experiment_id = ? AND r.arms IS NOT NULL "
                + "ORDER BY r.served_at, r.request_id";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, experiment);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Object[] a = (Object[]) rs.getArray(1).getArray();
                    short[] arms = new short[a.length];
                    for (int i = 0; i < a.length; i++) arms[i] = ((Number) a[i]).shortValue();
                    java.sql.Array p = rs.getArray(2);
                    int[] clicked = new int[0];
                    if (p != null) {
                        Object[] o = (Object[]) p.getArray();
                        clicked = new int[o.length];
                        for (int i = 0; i < o.length; i++) clicked[i] = ((Number) o[i]).intValue();
                    }
                    out.add(new Impression(arms, clicked));
                }
            }
        }
        return out;
    }

    /** Interleaving's verdict over {@code shown} (pure; ExperimentReportTest checks it). */
    static Interleaved interleaved(List<Impression> shown) {
        List<TeamDraft.Outcome> outcomes = new ArrayList<>(shown.size());
        long ca = 0, cb = 0;
        for (Impression s : shown) {
            TeamDraft.Arm[] arms = new TeamDraft.Arm[s.arms().length];
            for (int i = 0; i < arms.length; i++) {
                arms[i] = s.arms()[i] == ExperimentSearch.ARM_A ? TeamDraft.Arm.A : TeamDraft.Arm.B;
            }
            TeamDraft.Credit credit = TeamDraft.credit(new TeamDraft.Interleaving(new int[arms.length], arms),
                    s.clicked());
            ca += credit.clicksA();
            cb += credit.clicksB();
            outcomes.add(credit.outcome());
        }
        Preference.Tally t = Preference.Tally.of(outcomes);
        return new Interleaved(shown.size(), ca, cb, t, t.pValue(), t.winShareInterval(Preference.Z95), t.delta(),
                t.deltaInterval(Preference.Z95), Preference.impressionsToSignificance(outcomes, 0.01),
                List.copyOf(outcomes));
    }

    /**
     * A/B's verdict over {@code shown}, each answer in the bucket of its (single) arm; the difference's
     * interval is Newcombe's hybrid score interval from the two Wilson intervals (Newcombe, "Interval
     * estimation for the difference between independent proportions", Stat. Med. 17, 1998, method 10):
     * {@code d − √((p_A − l_A)² + (u_B − p_B)²), d + √((u_A − p_A)² + (p_B − l_B)²)}, d = p_A − p_B.
     */
    static Buckets buckets(List<Impression> shown) {
        long[] answers = new long[2];
        long[] clickedAnswers = new long[2];
        long[] clicks = new long[2];
        for (Impression s : shown) {
            if (s.arms().length == 0) continue; // an empty answer: nothing to click, no arm to count
            int arm = s.arms()[0] == ExperimentSearch.ARM_A ? 0 : 1;
            answers[arm]++;
            if (s.clicked().length > 0) clickedAnswers[arm]++;
            clicks[arm] += s.clicked().length;
        }
        Bucket a = bucket(answers[0], clickedAnswers[0], clicks[0]);
        Bucket b = bucket(answers[1], clickedAnswers[1], clicks[1]);
        double d = a.ctr() - b.ctr();
        double low = d - Math.sqrt(sq(a.ctr() - a.ctrInterval()[0]) + sq(b.ctrInterval()[1] - b.ctr()));
        double high = d + Math.sqrt(sq(a.ctrInterval()[1] - a.ctr()) + sq(b.ctr() - b.ctrInterval()[0]));
        return new Buckets(a, b, d, new double[] {low, high});
    }

    private static Bucket bucket(long answers, long clicked, long clicks) {
        double ctr = answers == 0 ? 0 : (double) clicked / answers;
        return new Bucket(answers, clicked, clicks, ctr, Preference.wilson(clicked, answers, Preference.Z95));
    }

    private static double sq(double x) {
        return x * x;
    }

    /** The name of arm A or B of {@code x} for a report's lines. */
    public static String describe(Experiments.Arm arm) {
        return arm.fusion() == io.reelrank.rerank.Fusion.LEARNED ? "learned ranker version " + arm.rankerVersion()
                : arm.spec().equals("popularity") ? "popularity prior alone"
                : arm.random() ? "the candidates in random order (control)"
                : arm.spec() + " fusion" + (arm.weights().equals(PersonalizedSearch.defaultWeights(arm.fusion()))
                ? "" : " " + arm.weights());
    }
}
