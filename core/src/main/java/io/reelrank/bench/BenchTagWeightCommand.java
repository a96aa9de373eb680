package io.reelrank.bench;

import io.reelrank.cli.CliException;
import io.reelrank.cli.DbOptions;
import io.reelrank.cli.Home;
import io.reelrank.index.MovieQueryParser;
import io.reelrank.index.MovieSearcher;
import io.reelrank.service.IndexService;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank bench tag-weight}: reruns the experiment that chose the weight of tag matches for
 * bare query words ({@link TagWeightStudy}), printing title precision and tag recall per weight.
 */
@Command(name = "tag-weight", mixinStandardHelpOptions = true,
        description = "Title precision@10 and tag recall@10 of bare-word queries for several tag weights "
                + "(the experiment behind the default weight).")
public final class BenchTagWeightCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Option(names = "--title-queries", paramLabel = "N", defaultValue = "1000",
            description = "Title queries (single words and word pairs), 10-100000 (default: ${DEFAULT-VALUE})")
    int titleQueries;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42",
            description = "Seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (titleQueries < 10 || titleQueries > 100_000) {
            throw CliException.badInput("--title-queries must be in 10-100000, got " + titleQueries);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (MovieSearcher searcher = MovieSearcher.open(IndexService.ensure(Home.indexDir(), dbOptions::open,
                spec.commandLine().getErr()))) {
            float[] weights = {0f, 0.1f, 0.2f, 0.3f, 0.5f, 0.75f, 1.0f};
            var rows = TagWeightStudy.run(searcher, weights, titleQueries, seed);
            out.printf(Locale.ROOT,
                    "tag weight study (seed %d; %d title queries, %d tag queries; current weight %.2f)%n", seed,
                    rows.get(0).titleQueries(), rows.get(0).tagQueries(), MovieQueryParser.TAG_WEIGHT);
            out.printf(Locale.ROOT, "%10s  %20s  %16s%n", "tag_weight", "title_precision@10", "tag_recall@10");
            for (var r : rows) {
                out.printf(Locale.ROOT, "%10.2f  %20.4f  %16.4f%n", r.tagWeight(), r.titlePrecisionAt10(),
                        r.tagRecallAt10());
            }
        }
        out.flush();
        return 0;
    }
}
