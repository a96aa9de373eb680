package io.reelrank.cli;

import io.reelrank.generate.MovieLensGenerator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank generate}: writes a MovieLens-shaped data set of any size with
 * {@link MovieLensGenerator}, prints its shape beside the real set it learnt from, and reports
 * progress on stderr. The recipe is in the help text.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 110,
        description = {"Write a MovieLens-shaped data set (movies.csv, links.csv, tags.csv, ratings.csv in MovieLens's",
                "format) of N ratings into DIR, for `reelrank ingest --data-dir DIR`. Same seed and options:",
                "byte-identical files. Also README.txt, users_latent.csv (each user's latent tastes) and",
                "movies_latent.csv (each movie's popularity and quality).",
                "",
                "Recipe (docs/database.md, \"Generated data sets\"; z, z' ~ N(0,1)):",
                "  sizes    users, movies, tags = X_small·(N/100,836)^b, the power law through ml-latest-small",
                "           (610 users, 9,742 movies, 3,683 tags) and ml-32m (200,948 / 87,585 / 2,000,072)",
                "  movies   title words, length and trailing article from the sample's titles; genres and year",
                "           of a random sample movie; popularity p = exp(" + MovieLensGenerator.POPULARITY_SIGMA
                        + "·z), quality",
                "           q = " + MovieLensGenerator.QUALITY_SD + "·("
                        + MovieLensGenerator.QUALITY_POPULARITY_CORRELATION + "·z + √(1−"
                        + MovieLensGenerator.QUALITY_POPULARITY_CORRELATION + "²)·z')",
                "  users    1-3 favourite genres θ = +1, half of them one disliked genre θ = −1, others",
                "           θ ~ N(0, " + MovieLensGenerator.TASTE_NOISE_SD + "²); bias b ~ N(0, "
                        + MovieLensGenerator.USER_BIAS_SD + "²); arrival: a sample user's first",
                "           rating ± " + MovieLensGenerator.ARRIVAL_JITTER_DAYS
                        + " days; ratings 20 + rest·w/Σw, w = exp(" + MovieLensGenerator.ACTIVITY_SIGMA
                        + "·z), at most half the movies out",
                "  choice   P(m | u) ∝ p_m · mean over m's genres of exp(" + MovieLensGenerator.CHOICE_BETA
                        + "·θ_ug), no movie twice, only",
                "           movies released (1 January of their year); each movie first gets one sure rater",
                "  stars    round(" + MovieLensGenerator.MEAN + " + b_u + q_m + " + MovieLensGenerator.TASTE_GAMMA
                        + "·mean θ_ug + ε), ε ~ N(0, " + MovieLensGenerator.NOISE_SD + "²); whole stars before",
                "           2003-02-18, half stars after for a share " + MovieLensGenerator.HALF_STAR_USERS
                        + " of users",
                "  time     a share " + MovieLensGenerator.ONE_SESSION_USERS
                        + " of users rate in one session, others in sessions of ~"
                        + MovieLensGenerator.SESSION_MEAN_RATINGS + " ratings",
                "           " + MovieLensGenerator.SESSION_GAP_MEAN_DAYS + " days apart (mean); "
                        + MovieLensGenerator.RATING_GAP_MEAN_SECONDS + " s between ratings (mean), a share "
                        + MovieLensGenerator.SAME_SECOND_SHARE + " in the same second",
                "  tags     58 of 610 users tag (as in the sample), counts ∝ exp("
                        + MovieLensGenerator.TAG_ACTIVITY_SIGMA
                        + "·z); movie as for ratings, tag",
                "           from the sample's tags on movies of one of its genres",
                ""})
public final class GenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--ratings", paramLabel = "N", required = true,
            description = "Ratings to write, 10000-100000000")
    long ratings;

    @Option(names = "--out", paramLabel = "DIR", required = true,
            description = "Directory to write (created when missing; must not hold a data set unless --force)")
    Path out;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42",
            description = "Seed of every random choice (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--users", paramLabel = "U",
            description = "Users, 1 to N/20 (default: scaled with N like the real sets: "
                    + "610 at 100,836 ratings, 200,948 at 32M)")
    Integer users;

    @Option(names = "--movies", paramLabel = "M",
            description = "Movies, 100 to N − 20·U (every movie gets a rating; default: scaled with N: "
                    + "9,742 at 100,836 ratings, 87,585 at 32M)")
    Integer movies;

    @Option(names = "--tags", paramLabel = "T",
            description = "Tag applications, 0-100000000 (default: scaled with N: 3,683 at 100,836 "
                    + "ratings, 2,000,072 at 32M)")
    Long tags;

    @Option(names = "--sample-movies",
            description = "Use the vocabulary directory's own movies and links as the catalogue "
                    + "instead of generating one")
    boolean sampleMovies;

    @Option(names = "--vocabulary", paramLabel = "DIR", defaultValue = "sample_data/ml-latest-small",
            description = "Real MovieLens directory to learn titles, genres, tags and arrivals from "
                    + "(default: ${DEFAULT-VALUE})")
    Path vocabulary;

    @Option(names = "--force", description = "Overwrite a data set already in DIR")
    boolean force;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        MovieLensGenerator.Options options = new MovieLensGenerator.Options(ratings, users, movies, tags, seed,
                Home.path().resolve(vocabulary), sampleMovies);
        MovieLensGenerator.Summary s;
        try {
            MovieLensGenerator.GenerationPlan p = MovieLensGenerator.plan(options);
            err.printf(Locale.ROOT, "generate: %,d ratings, %,d users, %s movies, %,d tags, seed %d → %s%n",
                    p.ratings(), p.users(),
                    p.movies() < 0 ? "the sample's" : String.format(Locale.ROOT, "%,d", p.movies()), p.tags(), p.seed(),
                    out);
            err.flush();
            long[] last = {System.nanoTime()};
            try (Progress bar = Progress.on(err)) {
                s = MovieLensGenerator.write(options, out, force, (phase, done, total) -> {
                    if (bar.terminal()) {
                        bar.update(phase, done, total, phase);
                        return;
                    }
                    long now = System.nanoTime();
                    if (done < total && now - last[0] < 2_000_000_000L) return;
                    last[0] = now;
                    err.printf(Locale.ROOT, "  %s %,d/%,d (%.0f%%)%n", phase, done, total,
                            100.0 * done / Math.max(1, total));
                    err.flush();
                });
            }
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(e.getMessage());
        }
        MovieLensGenerator.GenerationPlan p = s.plan();
        o.printf(Locale.ROOT,
                "generate: %,d ratings, %,d users, %,d movies, %,d tags (seed %d) in %.1f s, %,d MB → %s%n",
                p.ratings(), p.users(), p.movies(), p.tags(), p.seed(), s.seconds(), s.bytes() >> 20, out);
        o.printf(Locale.ROOT, "%-34s %14s %14s%n", "shape", "generated", vocabulary.getFileName());
        row(o, "share of ratings on top 1% movies", s.generated().top1Share(), s.real().top1Share(), "%.3f");
        row(o, "share of ratings on top 10% movies", s.generated().top10Share(), s.real().top10Share(), "%.3f");
        row(o, "ratings per user: median", s.generated().medianPerUser(), s.real().medianPerUser(), "%.1f");
        row(o, "ratings per user: 99th percentile", s.generated().p99PerUser(), s.real().p99PerUser(), "%.1f");
        row(o, "ratings per user: minimum", s.generated().minPerUser(), s.real().minPerUser(), "%.0f");
        row(o, "mean stars", s.generated().meanStars(), s.real().meanStars(), "%.3f");
        row(o, "share of half stars", s.generated().halfStarShare(), s.real().halfStarShare(), "%.3f");
        o.flush();
        return 0;
    }

    private static void row(PrintWriter o, String name, double generated, double real, String format) {
        o.printf(Locale.ROOT, "%-34s %14s %14s%n", name, String.format(Locale.ROOT, format, generated),
                String.format(Locale.ROOT, format, real));
    }
}
