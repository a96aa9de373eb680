package io.reelrank.eval;

import io.reelrank.embed.Encoder;
import io.reelrank.embed.ModelAgreement;
import io.reelrank.embed.MovieText;
import io.reelrank.index.MovieIndex;
import io.reelrank.index.MovieRecord;
import io.reelrank.model.ItemVectors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the descriptive task's systems search, built without the held-out taggers' tags
 * ({@link DescriptiveTask}): a Lucene index of every movie with the kept tags only, written to a
 * directory of its own, and the movie vectors of the movie texts those tags give. A movie whose
 * text does not change keeps its stored vector; the others (those whose top tags a held-out tagger
 * shaped) are embedded again by {@code encoder}, which must be the model that made the stored
 * vectors: {@link #build} checks that on a sample of unchanged movies and fails when the two
 * disagree (mean cosine below {@value #MIN_AGREEMENT}). The vectors are centered on the catalog mean,
 * as production's are. The caller closes nothing here; the index directory is the caller's to delete.
 */
public final class DescriptiveCorpus {

    /** Below this mean cosine between the encoder's and the stored vectors of the same texts, they are two models. */
    public static final double MIN_AGREEMENT = 0.98;
    /** Unchanged movies re-embedded to check that the encoder is the stored vectors' model. */
    static final int AGREEMENT_SAMPLE = 32;

    /** The corpus: its index, its vectors, how many movie texts changed, and the agreement check's mean cosine. */
    public record Corpus(Path indexDir, ItemVectors vectors, int changedTexts, double agreement) {}

    private DescriptiveCorpus() {}

    /**
     * @param movies     every indexed movie (production's records: title, year, genres, counts)
     * @param kept       the tag rows the systems may see
     * @param texts      production's movie texts ({@link MovieText#loadAll}), by movie_id
     * @param stored     production's vectors, not centered ({@code ItemVectors.load(db, false)})
     * @param dir        where the task's index goes (replaced)
     */
    public static Corpus build(List<MovieRecord> movies, List<DescriptiveTask.Tag> kept, Map<Integer, String> texts,
                               ItemVectors stored, Encoder encoder, Path dir) throws IOException {
        MovieIndex.write(dir, DescriptiveTask.indexRecords(movies, kept).iterator(), null);
        Map<Integer, List<String>> top = DescriptiveTask.topTags(kept, MovieText.TOP_TAGS);
        List<Integer> changed = new ArrayList<>();
        List<String> changedTexts = new ArrayList<>();
        List<Integer> same = new ArrayList<>();
        for (MovieRecord m : movies) {
            if (!stored.has(m.movieId())) continue;
            String text = MovieText.of(m.title(), m.year(), m.genres(), top.getOrDefault(m.movieId(), List.of()));
            if (text.equals(texts.get(m.movieId()))) {
                same.add(m.movieId());
            } else {
                changed.add(m.movieId());
                changedTexts.add(text);
            }
        }
        double agreement = agreement(same, texts, stored, encoder);
        if (agreement < MIN_AGREEMENT) {
            throw new IllegalStateException(String.format(java.util.Locale.ROOT,
                    "the query model (%s) is not the model "
                    + "of the stored movie vectors: mean cosine %.3f on %d movie texts, below %.2f; embed the movies "
                    + "with the default model first", encoder.describe(), agreement,
                    Math.min(same.size(), AGREEMENT_SAMPLE), MIN_AGREEMENT));
        }
        float[][] fresh = encoder.encode(changedTexts);
        int[] ids = stored.movieIds();
        float[][] rows = new float[ids.length][];
        Map<Integer, Integer> at = new java.util.HashMap<>();
        for (int i = 0; i < changed.size(); i++) at.put(changed.get(i), i);
        for (int i = 0; i < ids.length; i++) {
            Integer c = at.get(ids[i]);
            rows[i] = c != null ? fresh[c] : stored.vector(ids[i]);
        }
        return new Corpus(dir, ItemVectors.of(ids, rows, true), changed.size(), agreement);
    }

    /** Mean cos(encoder(text), stored vector) over an evenly spaced sample of the unchanged movies. */
    private static double agreement(List<Integer> same, Map<Integer, String> texts, ItemVectors stored,
            Encoder encoder) {
        if (same.isEmpty()) return 1;
        int n = Math.min(AGREEMENT_SAMPLE, same.size());
        List<String> t = new ArrayList<>(n);
        float[][] b = new float[n][];
        for (int i = 0; i < n; i++) {
            int id = same.get((int) ((long) i * same.size() / n));
            t.add(texts.get(id));
            b[i] = stored.vector(id);
        }
        return ModelAgreement.cosines(encoder.encode(t), b).mean();
    }
}
