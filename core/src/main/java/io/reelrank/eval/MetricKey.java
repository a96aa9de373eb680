package io.reelrank.eval;

/**
 * The name of one evaluated figure, built in this one place: a measure at a cut-off, the group of
 * held-out movies it is over (liked, disliked, or none for recommendations) and the system, or the
 * paired difference {@code system-baseline}. {@link #name()} is the text the sweep's CSV, the plot and
 * the printed tables use, e.g. {@code "ndcg@10 liked personalized"}, {@code "mrr disliked bm25"},
 * {@code "recall@20 two-tower-ease"}, {@code "rare-movie recall@20 ease"}.
 */
public record MetricKey(Measure measure, int k, Group group, String system) {

    /** What is measured; MRR has no cut-off. */
    public enum Measure {
        NDCG("ndcg", true), RECALL("recall", true), MRR("mrr", false), RARE_RECALL("rare-movie recall", true);

        private final String label;
        private final boolean cut;

        Measure(String label, boolean cut) {
            this.label = label;
            this.cut = cut;
        }
    }

    /** Which held-out movies of the search task; NONE for the recommendation task. */
    public enum Group {
        LIKED("liked"), DISLIKED("disliked"), NONE(null);

        private final String label;

        Group(String label) {
            this.label = label;
        }
    }

    public MetricKey {
        if (system == null || system.isBlank()) {
            throw new IllegalArgumentException("a metric needs a system, got '" + system + "'");
        }
        if (measure.cut && k < 1) {
            throw new IllegalArgumentException(measure.label + " needs a cut-off k >= 1, got " + k);
        }
    }

    public static MetricKey of(Measure measure, int k, Group group, String system) {
        return new MetricKey(measure, k, group, system);
    }

    /** The paired difference {@code system − baseline} of the same measure. */
    public static MetricKey difference(Measure measure, int k, Group group, String system, String baseline) {
        return new MetricKey(measure, k, group, system + "-" + baseline);
    }

    /** The same measure and group for another system. */
    public MetricKey of(String otherSystem) {
        return new MetricKey(measure, k, group, otherSystem);
    }

    public String name() {
        StringBuilder sb = new StringBuilder(measure.label);
        if (measure.cut) sb.append('@').append(k);
        if (group.label != null) sb.append(' ').append(group.label);
        return sb.append(' ').append(system).toString();
    }

    @Override
    public String toString() {
        return name();
    }
}
