package io.reelrank.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.index.MovieRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class DescriptiveTaskTest {

    private static final Map<Integer, String> TITLES = Map.of(1, "Back to the Future", 2, "Looper", 3, "Time Bandits",
            4, "Groundhog Day", 5, "Primer");

    /** Forty taggers, each tagging every movie "time travel" and movie 5 also "Indie  Film". */
    private static List<DescriptiveTask.Tag> tags() {
        List<DescriptiveTask.Tag> out = new ArrayList<>();
        for (int u = 1; u <= 40; u++) {
            for (int m = 1; m <= 5; m++) out.add(new DescriptiveTask.Tag(u, m, "time travel"));
            out.add(new DescriptiveTask.Tag(u, 5, " Indie  Film"));
            out.add(new DescriptiveTask.Tag(u, 5, "1985"));
        }
        return out;
    }

    @Test
    void theHeldOutTaggersTagsAreQueriesAndNeverReachTheIndex() {
        DescriptiveTask.Data d = DescriptiveTask.build(tags(), TITLES, 0.3, 42);
        assertTrue(d.heldOutTaggers().size() > 4 && d.heldOutTaggers().size() < 20, d.heldOutTaggers().toString());
        for (DescriptiveTask.Tag t : d.kept()) assertFalse(d.heldOutTaggers().contains(t.userId()), t.toString());
        assertEquals(tags().size() - d.heldOutRows(), d.kept().size());
        List<JudgedQueries.Query> all = new ArrayList<>(d.validation());
        all.addAll(d.test());
        Set<String> texts = new HashSet<>();
        for (JudgedQueries.Query q : all) texts.add(q.text());
        // Normalized and escaped; "1985" has no word of letters and is left out.
        assertEquals(Set.of("time travel", "indie film"), texts);
        for (JudgedQueries.Query q : all) {
            if (q.text().equals("time travel")) {
                // Time Bandits shares "time" with the tag: that would be a title query.
                assertEquals("[1, 2, 4, 5]", Arrays.toString(q.relevant()));
            } else {
                assertEquals("[5]", Arrays.toString(q.relevant()));
            }
        }
        assertEquals(d.heldOutTaggers().size(), d.pairsWithTitleWords());
    }

    @Test
    void theSplitIsTheSameForTheSameSeed() {
        DescriptiveTask.Data a = DescriptiveTask.build(tags(), TITLES, 0.3, 42);
        DescriptiveTask.Data b = DescriptiveTask.build(tags(), TITLES, 0.3, 42);
        assertEquals(a.heldOutTaggers(), b.heldOutTaggers());
        assertEquals(a.validation().stream().map(JudgedQueries.Query::text).toList(),
                b.validation().stream().map(JudgedQueries.Query::text).toList());
        assertFalse(a.heldOutTaggers().equals(DescriptiveTask.build(tags(), TITLES, 0.3, 7).heldOutTaggers()));
    }

    @Test
    void theTasksIndexAndTextsTakeTheKeptTagsOnly() {
        List<DescriptiveTask.Tag> kept = List.of(new DescriptiveTask.Tag(1, 5, "Indie"), new DescriptiveTask.Tag(2, 5, "indie "),
                new DescriptiveTask.Tag(2, 5, "low budget"), new DescriptiveTask.Tag(3, 5, "Math"));
        MovieRecord primer = new MovieRecord(5, "Primer", 2004, null, null, List.of("Drama"), List.of("secret"), 3.9, 20);
        MovieRecord indexed = DescriptiveTask.indexRecords(List.of(primer), kept).get(0);
        assertEquals(List.of("Indie", "indie ", "low budget", "Math"), indexed.tags());
        assertEquals(primer.title(), indexed.title());
        // Counted by distinct users (indie: 2), then by text.
        assertEquals(List.of("indie", "low budget", "math"), DescriptiveTask.topTags(kept, 5).get(5));
        assertEquals(List.of("indie"), DescriptiveTask.topTags(kept, 1).get(5));
    }
}
