package io.reelrank.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.reelrank.db.Database;
import io.reelrank.model.ModelStore;
import io.reelrank.rank.RankerStore;
import java.io.PrintWriter;
import java.sql.Connection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank model list|activate|rollback}: the stored versions of both kinds of model, the
 * collaborative factors ({@code model_versions}) and the learned rankers ({@code ranker_versions},
 * tasks search and recommend), numbered from one sequence; switching versions is one transaction
 * and every running server follows it (its notification) without a restart.
 */
@Command(name = "model", mixinStandardHelpOptions = true,
        description = {"The stored model versions: collaborative factors and learned rankers (docs/"
                + "learned-ranker.md, \"Model versions\").",
                "  model list                      every version of both kinds, newest first",
                "  model activate VERSION          make a stored version the active one of its kind",
                "  model rollback factors|search|recommend   make the previous version of that kind active again",
                "  model deactivate search|recommend          serve no learned ranker for the task (weighted fusion,",
                "                                             the retrieval alone); a rollback brings it back",
                "  model delete VERSION            delete a ranker version that is not active"},
        subcommands = {ModelCommand.ListVersions.class, ModelCommand.Activate.class, ModelCommand.Rollback.class,
                ModelCommand.Deactivate.class, ModelCommand.Delete.class})
public final class ModelCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code model list}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Every stored version of both kinds, newest first")
    static final class ListVersions implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DbOptions dbOptions;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Database db = dbOptions.open();
            try (Connection c = db.connect()) {
                List<ModelStore.Version> factors = ModelStore.versions(c);
                List<RankerStore.Version> rankers = RankerStore.versions(c);
                if (factors.isEmpty() && rankers.isEmpty()) {
                    out.println("no model trained yet: run `reelrank train`");
                    out.flush();
                    return 0;
                }
                out.printf(Locale.ROOT, "%7s  %-9s  %-8s  %-20s  %s%n", "version", "kind", "status", "activated",
                        "what");
                int fi = 0;
                int ri = 0;
                while (fi < factors.size() || ri < rankers.size()) {
                    boolean factor = ri >= rankers.size() || fi < factors.size()
                            && factors.get(fi).version() > rankers.get(ri).version();
                    if (factor) {
                        ModelStore.Version v = factors.get(fi++);
                        out.printf(Locale.ROOT,
                                "%7d  %-9s  %-8s  %-20s  rank %d, α=%s λ=%s, %,d ratings, %,d users, %,d movies%n",
                                v.version(), "factors", v.status(), time(v.activatedAt()), v.rank(),
                                v.params().get("alpha").asText(),
                                v.params().get("lambda").asText(), v.ratings(), v.users(), v.items());
                    } else {
                        RankerStore.Version v = rankers.get(ri++);
                        var p = v.params();
                        out.printf(Locale.ROOT,
                                "%7d  %-9s  %-8s  %-20s  %s trees=%s depth=%s eta=%s, grades %s, %,d judgments, "
                                        + "%d features, trained with factors %s%s%n", v.version(), v.task(), v.status(),
                                time(v.activatedAt()), p.path("objective").asText(), p.path("trees").asText(),
                                p.path("depth").asText(), p.path("eta").asText(), p.path("grades").asText(),
                                v.judgments(),
                                v.features().size(), v.modelVersion() == null ? "-" : v.modelVersion(), figures(v));
                    }
                }
            }
            out.flush();
            return 0;
        }

        private static String time(java.time.Instant t) {
            return t == null ? "-" : t.toString().substring(0, 19);
        }

        private static String figures(RankerStore.Version v) {
            var val = v.validation();
            if (val == null) return "";
            return ratingFigures(val) + clickFigures(val.has("ndcg") ? val : val.get("clicks"));
        }

        /** A ranker trained from clicks: its NDCG@10 on the held-out click groups and the served order's. */
        private static String clickFigures(JsonNode c) {
            if (c == null || !c.has("ndcg") || c.get("ndcg").size() < 2) return "";
            var n = c.get("ndcg");
            double own = Double.NaN;
            for (var it = n.elements(); it.hasNext(); ) own = it.next().asDouble(); // the trained one is last
            return String.format(Locale.ROOT, "; held-out clicks NDCG@10 %.4f (served order %.4f)", own,
                    n.path("served").asDouble());
        }

        private static String ratingFigures(JsonNode val) {
            if (!val.has("chosen")) return "";
            var ch = val.get("chosen");
            if (val.has("retrieval_recall")) { // a recommendation ranker
                return String.format(Locale.ROOT, "; validation Recall@20 %.4f (the retrieval alone %.4f)",
                        ch.path("recall").asDouble(), val.path("retrieval_recall").asDouble());
            }
            return String.format(Locale.ROOT, "; validation NDCG@10 liked %.4f, disliked %.4f (baseline %.4f, %.4f)",
                    ch.path("liked").asDouble(), ch.path("disliked").asDouble(), val.path("baseline_liked").asDouble(),
                    val.path("baseline_disliked").asDouble());
        }
    }

    /** {@code model activate VERSION}. */
    @Command(name = "activate", mixinStandardHelpOptions = true,
            description = "Make a stored version (factors or a ranker) the active one of its kind, in one transaction")
    static final class Activate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DbOptions dbOptions;

        @Parameters(index = "0", paramLabel = "VERSION", description = "A version of `reelrank model list`")
        long version;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            String what = inTransaction(dbOptions.open(), 2, c -> {
                if (RankerStore.version(c, version) != null) return RankerStore.activate(c, version) + " ranker";
                if (ModelStore.versions(c).stream().anyMatch(v -> v.version() == version)) {
                    ModelStore.Activation a = ModelStore.reactivate(c, version);
                    return "collaborative model (" + a.foldedIn() + " users folded in)";
                }
                throw new IllegalArgumentException("no model or ranker version " + version
                        + ": see `reelrank model list`");
            });
            out.printf(Locale.ROOT, "version %d active: %s%n", version, what);
            out.flush();
            return 0;
        }
    }

    /** {@code model rollback KIND}. */
    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Make the previous version of a kind active again (the active one becomes previous)")
    static final class Rollback implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DbOptions dbOptions;

        @Parameters(index = "0", paramLabel = "KIND", description = "factors, search (the search ranker) or recommend "
                + "(the recommendation ranker)")
        String kind;

        @Override
        public Integer call() throws Exception {
            if (!List.of("factors", RankerStore.SEARCH, RankerStore.RECOMMEND).contains(kind)) {
                throw CliException.badInput("KIND must be factors, search or recommend, got '" + kind + "'");
            }
            PrintWriter out = spec.commandLine().getOut();
            long now = inTransaction(dbOptions.open(), 1, c -> {
                if (!kind.equals("factors")) return RankerStore.rollback(c, kind);
                ModelStore.Version prev = ModelStore.previous(c);
                if (prev == null) throw new IllegalStateException("no previous collaborative model to roll back to");
                return ModelStore.reactivate(c, prev.version()).version();
            });
            out.printf(Locale.ROOT, "rolled back %s: version %d active%n", kind, now);
            out.flush();
            return 0;
        }
    }

    /** {@code model deactivate TASK}. */
    @Command(name = "deactivate", mixinStandardHelpOptions = true,
            description = "Serve no learned ranker for a task: searches use the weighted fusion, recommendations the "
                    + "retrieval alone (the active version becomes previous: `model rollback` brings it back)")
    static final class Deactivate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DbOptions dbOptions;

        @Parameters(index = "0", paramLabel = "TASK", description = "search or recommend")
        String task;

        @Override
        public Integer call() throws Exception {
            if (!List.of(RankerStore.SEARCH, RankerStore.RECOMMEND).contains(task)) {
                throw CliException.badInput("TASK must be search or recommend, got '" + task + "'");
            }
            PrintWriter out = spec.commandLine().getOut();
            long v = inTransaction(dbOptions.open(), 1, c -> RankerStore.deactivate(c, task));
            out.printf(Locale.ROOT, "%s ranker version %d deactivated (now previous)%n", task, v);
            out.flush();
            return 0;
        }
    }

    /** {@code model delete VERSION}. */
    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete a ranker version that is not active")
    static final class Delete implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DbOptions dbOptions;

        @Parameters(index = "0", paramLabel = "VERSION", description = "A ranker version of `reelrank model list`")
        long version;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            inTransaction(dbOptions.open(), 2, c -> {
                RankerStore.delete(c, version);
                return null;
            });
            out.printf(Locale.ROOT, "ranker version %d deleted%n", version);
            out.flush();
            return 0;
        }
    }

    /** Work on one connection inside {@link #inTransaction}. */
    interface Work<T> {
        T run(Connection c) throws Exception;
    }

    /**
     * Runs {@code work} in one transaction on a direct connection: committed when it returns, rolled back
     * when it throws. A refusal of the stores ({@link IllegalArgumentException}, {@link IllegalStateException})
     * becomes a {@link CliException} with {@code exitCode} and its message; anything else is thrown as it is.
     */
    static <T> T inTransaction(Database db, int exitCode, Work<T> work) throws Exception {
        try (Connection c = db.connectDirect()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (IllegalArgumentException | IllegalStateException e) {
                c.rollback();
                throw new CliException(exitCode, e.getMessage());
            } catch (Exception e) {
                c.rollback();
                throw e;
            }
        }
    }
}
