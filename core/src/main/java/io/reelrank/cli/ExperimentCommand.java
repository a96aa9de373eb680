package io.reelrank.cli;

import io.reelrank.db.Database;
import io.reelrank.feedback.PreferencePlot;
import io.reelrank.service.ExperimentReport;
import io.reelrank.service.Experiments;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank experiment start|stop|report|list}: online experiments between two rankers
 * ({@link Experiments}), followed by every running server without a restart, and their verdict from
 * the request log and the posted clicks ({@link ExperimentReport}); docs/experiments.md.
 */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = {"Online experiments between two rankers (docs/experiments.md); every server follows a start "
                + "or stop at once.",
                "  experiment start --a ARM --b ARM [--kind interleave|ab] [--name N]",
                "  experiment stop [ID]                 stop the running (or this) experiment; its data stays",
                "  experiment report [ID] [--plot FILE] wins, p-value, intervals (default: the running or newest)",
                "  experiment list                      every experiment, newest first",
                "An ARM is weighted, linear, rrf, bm25, popularity, random (a shuffled control), learned (the active",
                "search ranker, pinned) or learned:VERSION (any stored search ranker)."},
        subcommands = {ExperimentCommand.Start.class, ExperimentCommand.Stop.class, ExperimentCommand.Report.class,
                ExperimentCommand.ListAll.class})
public final class ExperimentCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    static String time(Instant t) {
        return t == null ? "-" : TIME.format(t);
    }

    static String line(Experiments.Experiment x) {
        return String.format(Locale.ROOT, "experiment %d '%s' (%s): A = %s, B = %s; started %s, %s", x.id(), x.name(),
                x.kind().key(), x.a(), x.b(), time(x.startedAt()), x.running() ? "running"
                        : "stopped " + time(x.stoppedAt()));
    }

    /** {@code experiment start}. */
    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Start an experiment between arm A (e.g. the active ranker) and arm B (a candidate)")
    static final class Start implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DbOptions dbOptions;

        @Option(names = "--a", paramLabel = "ARM", required = true,
                description = "Arm A: weighted, linear, rrf, bm25, popularity, random, learned or learned:VERSION")
        String a;

        @Option(names = "--b", paramLabel = "ARM", required = true, description = "Arm B, as --a; must differ")
        String b;

        @Option(names = "--kind", paramLabel = "KIND", defaultValue = "interleave",
                description = "interleave (team draft: every answer merges both arms) or ab (each user sees one arm, "
                        + "by a hash of the user id) (default: ${DEFAULT-VALUE})")
        String kind;

        @Option(names = "--name", paramLabel = "N", description = "A name, at most 200 characters (default: 'A vs B')")
        String name;

        @Override
        public Integer call() throws Exception {
            Database db = dbOptions.open();
            Experiments.Experiment x;
            try {
                x = Experiments.start(db, a, b, Experiments.Kind.parse(kind), name);
            } catch (IllegalArgumentException e) {
                throw CliException.badInput("experiment start: " + e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("started " + line(x));
            out.println("every server follows it now: searches with a user that name no fusion are served "
                    + (x.kind() == Experiments.Kind.INTERLEAVE ? "by both arms, interleaved" : "by the user's arm"));
            out.flush();
            return 0;
        }
    }

    /** {@code experiment stop}. */
    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stop the running experiment (or experiment ID); its request log rows and events stay")
    static final class Stop implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DbOptions dbOptions;

        @Parameters(index = "0", arity = "0..1", paramLabel = "ID", description = "The experiment (default: the "
                + "running one)")
        Integer id;

        @Override
        public Integer call() throws Exception {
            Database db = dbOptions.open();
            Experiments.Experiment x;
            try {
                x = Experiments.stop(db, id);
            } catch (IllegalArgumentException e) {
                throw CliException.badInput("experiment stop: " + e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("stopped " + line(x));
            out.println("its data stays: reelrank experiment report " + x.id());
            out.flush();
            return 0;
        }
    }

    /** {@code experiment list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every experiment, newest first")
    static final class ListAll implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DbOptions dbOptions;

        @Override
        public Integer call() throws Exception {
            Database db = dbOptions.open();
            PrintWriter out = spec.commandLine().getOut();
            try (Connection c = db.connect()) {
                List<Experiments.Experiment> all = Experiments.list(c);
                if (all.isEmpty()) out.println("no experiment yet: reelrank experiment start --a ARM --b ARM");
                for (Experiments.Experiment x : all) out.println(line(x));
            }
            out.flush();
            return 0;
        }
    }

    /** {@code experiment report}. */
    @Command(name = "report", mixinStandardHelpOptions = true,
            description = "The verdict so far: impressions, clicks, wins/losses/ties, p-value, intervals")
    static final class Report implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DbOptions dbOptions;

        @Parameters(index = "0", arity = "0..1", paramLabel = "ID",
                description = "The experiment (default: the running one, else the newest)")
        Integer id;

        @Option(names = "--plot", paramLabel = "FILE",
                description = "Also write the cumulative preference Δ_AB over impressions as a PNG (interleaving "
                        + "only) (default: none)")
        Path plot;

        @Override
        public Integer call() throws Exception {
            Database db = dbOptions.open();
            ExperimentReport.Report r;
            try (Connection c = db.connect()) {
                r = ExperimentReport.of(c, id);
            } catch (IllegalArgumentException e) {
                throw CliException.badInput("experiment report: " + e.getMessage());
            }
            Experiments.Experiment x = r.experiment();
            if (plot != null && x.kind() != Experiments.Kind.INTERLEAVE) {
                throw CliException.badInput("experiment report: --plot draws an interleaving experiment's preference; "
                        + "experiment " + x.id() + " is " + x.kind().key());
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(line(x));
            out.println("  A = " + ExperimentReport.describe(x.a()) + "; B = " + ExperimentReport.describe(x.b()));
            if (r.interleaved() != null) interleaved(out, x, r.interleaved());
            else buckets(out, x, r.buckets());
            out.flush();
            return 0;
        }

        private void interleaved(PrintWriter out, Experiments.Experiment x, ExperimentReport.Interleaved v)
                throws java.io.IOException {
            out.printf(Locale.ROOT, "impressions: %,d interleaved answers; clicks: %,d on A's movies, %,d on B's%n",
                    v.impressions(), v.clicksA(), v.clicksB());
            out.printf(Locale.ROOT, "wins: A %,d, B %,d, ties %,d (an impression is won by the arm whose movies got "
                    + "more of its clicks)%n", v.tally().wins(), v.tally().losses(), v.tally().ties());
            out.printf(Locale.ROOT, "sign test (two-sided, ties left out): p = %.3g%n", v.pValue());
            out.printf(Locale.ROOT, "A's share of the decided impressions: %.3f, 95%% Wilson interval [%.3f, %.3f]%n",
                    v.tally().winShare(), v.winShareInterval()[0], v.winShareInterval()[1]);
            out.printf(Locale.ROOT, "Δ_AB = %+.4f, 95%% interval [%+.4f, %+.4f] (> 0: A preferred)%n", v.delta(),
                    v.deltaInterval()[0], v.deltaInterval()[1]);
            out.println("impressions until p < 0.01: " + (v.impressionsToP01() < 0 ? "not reached"
                    : String.format(Locale.ROOT, "%,d", v.impressionsToP01())));
            String verdict = v.pValue() >= 0.05 || v.tally().wins() == v.tally().losses()
                    ? "no winner at p < 0.05 yet"
                    : "winner: " + (v.tally().wins() > v.tally().losses() ? "A (" + x.a() + ")" : "B (" + x.b() + ")")
                    + String.format(Locale.ROOT, " (p = %.3g)", v.pValue());
            out.println(verdict);
            if (plot != null) {
                if (v.outcomes().isEmpty()) {
                    throw CliException.badInput("experiment report: --plot needs impressions; experiment " + x.id()
                            + " has none yet");
                }
                PreferencePlot.write(v.outcomes(), "A " + x.a(), "B " + x.b(), plot);
                out.println("plot written to " + plot);
            }
        }

        private static void buckets(PrintWriter out, Experiments.Experiment x, ExperimentReport.Buckets v) {
            bucket(out, "A (" + x.a() + ")", v.a());
            bucket(out, "B (" + x.b() + ")", v.b());
            out.printf(Locale.ROOT, "difference A − B: %+.4f, 95%% Newcombe interval [%+.4f, %+.4f]%n", v.difference(),
                    v.differenceInterval()[0], v.differenceInterval()[1]);
            boolean decided = v.differenceInterval()[0] > 0 || v.differenceInterval()[1] < 0;
            out.println(!decided ? "no winner at 95% yet (the interval holds 0)"
                    : "winner: " + (v.difference() > 0 ? "A (" + x.a() + ")" : "B (" + x.b() + ")")
                    + " (the 95% interval excludes 0)");
        }

        private static void bucket(PrintWriter out, String arm, ExperimentReport.Bucket b) {
            out.printf(Locale.ROOT, "%s: %,d answers, %,d clicks, click-through %.4f (answers with a click), 95%% "
                    + "Wilson interval [%.4f, %.4f]%n", arm, b.answers(), b.clicks(), b.ctr(), b.ctrInterval()[0],
                    b.ctrInterval()[1]);
        }
    }
}
