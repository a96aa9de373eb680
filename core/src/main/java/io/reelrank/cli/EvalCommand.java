package io.reelrank.cli;

import io.reelrank.eval.Bootstrap;
import io.reelrank.eval.EvalReport;
import io.reelrank.eval.EvalResult;
import io.reelrank.eval.SweepGrid;
import io.reelrank.model.FactorEngine;
import io.reelrank.rerank.Fusion;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.rerank.Reranker;
import io.reelrank.service.Evaluation;
import io.reelrank.user.UserVectors;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank eval}: offline evaluation on the ratings in the database ({@link Evaluation}; its rules
 * are {@code eval.Choices}). Reads the options, runs the stages with their progress and timing on standard
 * error, prints the {@link EvalResult} on standard output ({@link EvalReport}; it depends only on the data
 * and the options, seeds included), {@code --json FILE} writes it as a record. Nothing is written to the database.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, description = {
        "Offline evaluation: does personalization help real users, and by how much (docs/evaluation.md).",
        "Every choice is made on a validation split of the training ratings; the tables are the test split's.",
        "The sweep behind the defaults: reelrank eval --alpha 0.3:0.8:0.1 --popularity 0.5,0.6,0.7,0.8 "
                + "--collaborative 0.3,0.5,0.7 --ease-lambda 100,200,500,1000"})
public final class EvalCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin DbOptions dbOptions;
    @Mixin ModelOptions model;
    @Mixin EngineOptions engine;
    @Mixin SearchTaskOptions searchTasks;

    enum Split { temporal, random } // how the ratings are split into training and held-out ones

    @Option(names = "--split", paramLabel = "KIND", defaultValue = "temporal", description = "temporal: each user's "
            + "latest ratings held out; random: a seeded random share (default: ${DEFAULT-VALUE})")
    Split split;

    @Option(names = "--test-fraction", paramLabel = "F", defaultValue = "0.2", converter = Bounds.Fraction.class,
            description = "Share of each user's ratings held out, in (0,1) (default: ${DEFAULT-VALUE})")
    double testFraction;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42",
            description = "Seed of the random split and of the bootstrap (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--k", paramLabel = "K", defaultValue = "10", description = "Cutoff of NDCG@k and Recall@k in "
            + "the search task, 1 to --candidates (default: ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--fusion", paramLabel = "F", defaultValue = "weighted", split = ",",
            converter = Bounds.FusionName.class,
            description = "Fusions to try, a list of weighted, linear, rrf (default: ${DEFAULT-VALUE})")
    Set<Fusion> fusions;

    @Option(names = "--alpha", paramLabel = "A", converter = Grid.Unit.class, description = "α, the personal "
            + "terms' weight: a list 0,0.5,1 or a range 0:1:0.1, each in [0,1] (default: the shipped weighted α, and "
            + Reranker.DEFAULT_ALPHA + " for linear)")
    Grid alphas;

    @Option(names = "--popularity", paramLabel = "P", converter = Grid.Unit.class,
            description = "π of weighted fusion, a list or range in [0,1] (default: the shipped value)")
    Grid popularity;

    @Option(names = "--collaborative", paramLabel = "G", converter = Grid.Unit.class,
            description = "γ of weighted fusion, a list or range in [0,1] (default: the shipped value)")
    Grid collaborative;

    @Option(names = "--baseline-popularity", paramLabel = "P", defaultValue = "0:1:0.1", converter = Grid.Unit.class,
            description = "π of the BM25 + popularity baseline, a list or range in [0,1], best by liked NDCG@k on "
                    + "validation (default: ${DEFAULT-VALUE})")
    Grid baselinePopularity;

    @Option(names = "--shrinkage", paramLabel = "K", defaultValue = "" + UserVectors.DEFAULT_SHRINKAGE,
            converter = Bounds.NonNegative.class,
            description = "Content user tower's shrinkage k, >= 0 (default: ${DEFAULT-VALUE})")
    double shrinkage;

    @Option(names = "--ease-lambda", paramLabel = "L", defaultValue = "500", converter = Grid.Positive.class,
            description = "EASE's λ, a list or range, each > 0, best by Recall@20 on validation "
                    + "(default: ${DEFAULT-VALUE})")
    Grid easeLambda;

    @Option(names = "--ease-min-ratings", paramLabel = "N", defaultValue = "10", converter = Bounds.AtLeastOne.class,
            description = "EASE models the movies with at least N training ratings, >= 1 (default: ${DEFAULT-VALUE})")
    int easeMinRatings;

    @Option(names = "--candidates", paramLabel = "N", defaultValue = "" + PersonalizedSearch.DEFAULT_CANDIDATES,
            converter = Bounds.Candidates.class, description = "BM25 candidates per query that the re-ranker "
                    + "reorders, 1-" + PersonalizedSearch.MAX_CANDIDATES + " (default: ${DEFAULT-VALUE})")
    int candidates;

    @Option(names = "--center", paramLabel = "BOOL", defaultValue = "true", arity = "1", description = "Center the "
            + "item vectors on the catalog mean, as production does: true or false (default: ${DEFAULT-VALUE})")
    boolean center;

    @Option(names = "--resamples", paramLabel = "B", defaultValue = "" + Bootstrap.DEFAULT_RESAMPLES,
            converter = Bounds.Resamples.class,
            description = "Bootstrap resamples per interval, 100-100000 (default: ${DEFAULT-VALUE})")
    int resamples;

    @Option(names = "--out-dir", paramLabel = "DIR", description = "Where a sweep writes sweep.csv and sweep.png, "
            + "and the learned ranker its ltr-importance.png (default: var/eval under REELRANK_HOME)")
    Path outDir;

    @Option(names = "--no-learned", description = "Leave out the learned rankers' stage and rows (minutes of work)")
    boolean noLearned;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the result as a JSON record (the "
            + "figures with their tolerances, as docs/results/sample.json; docs/evaluation.md)")
    Path json;

    @Override
    public Integer call() throws Exception {
        if (k < 1 || k > candidates) {
            throw CliException.badInput("--k must be in 1-" + candidates + " (--candidates), got " + k);
        }
        EngineOptions.EngineChoice plan = engine.check();
        EvalResult.Protocol protocol = new EvalResult.Protocol(split == Split.temporal, testFraction, seed, resamples,
                k, candidates, shrinkage, center, plan.spark() ? "on Spark, " + plan.master() : "in-process",
                easeMinRatings);
        Evaluation.Options options = new Evaluation.Options(protocol, SweepGrid.settings(fusions, Grid.array(alphas),
                Grid.array(popularity), Grid.array(collaborative)), baselinePopularity.array(), model.grid(),
                easeLambda.array(), model.threads(), Home.indexDir(),
                outDir != null ? outDir : Home.var().resolve("eval"), searchTasks.tasks(), !noLearned);
        StageProgress progress = new StageProgress(spec.commandLine().getErr(), Evaluation.STAGES);
        long t0 = System.nanoTime();
        EvalResult result; // nothing to evaluate (no ratings, no vectors): Evaluation says so, exit code 1
        try (FactorEngine factors = EngineOptions.open(plan, options.threads(), progress::detail)) {
            result = Evaluation.run(dbOptions.open(), options, factors, progress);
        }
        EvalReport.print(result, spec.commandLine().getOut());
        if (json != null) {
            EvalReport.writeJson(result, json);
            progress.line("wrote " + json);
        }
        progress.line(String.format(Locale.ROOT, "eval: done in %.1f s", (System.nanoTime() - t0) / 1e9));
        return 0;
    }
}
