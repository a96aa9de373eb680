package io.reelrank.index;

import io.reelrank.TestDatabase;
import java.nio.file.Path;

/**
 * The index of the bundled sample, built once per test run from the test database (the same
 * {@link MovieIndex#rebuild} path {@code reelrank index} takes) under {@code target/test-index}, and
 * one searcher over it shared by the tests, which must not close it. Tests that rebuild use their
 * own directory.
 */
public final class SampleIndex {

    public static final Path DIR = Path.of("target", "test-index", "sample").toAbsolutePath();

    private static MovieSearcher searcher;
    private static MovieIndex.Result built;

    private SampleIndex() {}

    public static synchronized MovieIndex.Result built() {
        if (built == null) {
            try {
                built = MovieIndex.rebuild(TestDatabase.sample(), DIR);
            } catch (Exception e) {
                throw new IllegalStateException("cannot build the sample index: " + e.getMessage(), e);
            }
        }
        return built;
    }

    public static synchronized MovieSearcher searcher() {
        built();
        if (searcher == null) {
            try {
                searcher = MovieSearcher.open(DIR);
            } catch (Exception e) {
                throw new IllegalStateException("cannot open the sample index: " + e.getMessage(), e);
            }
        }
        return searcher;
    }
}
