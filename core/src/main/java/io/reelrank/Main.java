package io.reelrank;

import io.reelrank.bench.BenchCommand;
import io.reelrank.bench.SimulateCommand;
import io.reelrank.cli.CliException;
import io.reelrank.cli.DbCommand;
import io.reelrank.cli.DemoCommand;
import io.reelrank.cli.DocsCommand;
import io.reelrank.cli.EmbedCommand;
import io.reelrank.cli.EvalCommand;
import io.reelrank.cli.ExperimentCommand;
import io.reelrank.cli.GenerateCommand;
import io.reelrank.cli.IndexCommand;
import io.reelrank.cli.IngestCommand;
import io.reelrank.cli.KeysCommand;
import io.reelrank.cli.LoadEmbeddingsCommand;
import io.reelrank.cli.LogLevel;
import io.reelrank.cli.ModelCommand;
import io.reelrank.cli.ProcessStats;
import io.reelrank.cli.RateCommand;
import io.reelrank.cli.RecommendCommand;
import io.reelrank.cli.SearchCommand;
import io.reelrank.cli.ServeCommand;
import io.reelrank.cli.SimilarCommand;
import io.reelrank.cli.TestUsersCommand;
import io.reelrank.cli.TrainCommand;
import io.reelrank.cli.UsersCommand;
import io.reelrank.cli.VectorCommand;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code reelrank} command: one picocli root whose subcommands are the pipeline's stages
 * ({@code ingest}, {@code index}, {@code embed}, …), the private database's management ({@code db}),
 * the end-to-end {@code demo} and the benchmarks ({@code bench}). {@link #execute} returns the exit
 * code: 0 on success, 1 on a failure while working, 2 on bad input (a wrong option, a query that does
 * not parse, an unknown user), and 2 with a message when {@code REELRANK_LOG_LEVEL} is not a level.
 * Errors print one line, {@code reelrank: error: …}; the stack trace goes to the log at level debug
 * ({@code REELRANK_LOG_LEVEL=debug}, or {@code REELRANK_DEBUG=1}). It sits at the package root, above
 * the two packages whose commands it lists ({@code cli} and {@code bench}): bench commands use the CLI's
 * shared options, and nothing below names this root.
 */
@Command(name = "reelrank", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Personalized movie search: BM25 candidates re-ranked by a two-tower model, "
                + "over PostgreSQL + pgvector.",
        subcommands = {CommandLine.HelpCommand.class, DbCommand.class, IngestCommand.class, IndexCommand.class,
                EmbedCommand.class, LoadEmbeddingsCommand.class, VectorCommand.class, SimilarCommand.class,
                UsersCommand.class, RateCommand.class, TestUsersCommand.class, TrainCommand.class, ModelCommand.class,
                SearchCommand.class,
                RecommendCommand.class, EvalCommand.class, DemoCommand.class, ServeCommand.class, GenerateCommand.class,
                DocsCommand.class, KeysCommand.class, BenchCommand.class, SimulateCommand.class,
                ExperimentCommand.class})
public final class Main implements Runnable {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        try {
            LogLevel.apply(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("reelrank: error: " + e.getMessage());
            System.exit(2);
        }
        ProcessStats.writeAtExitIfAsked(System.getenv());
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** The configured command line; tests set its out/err writers to capture output. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        // A query may start with '-' (`-genres:Horror`): that is the query, not an unknown option.
        cl.getSubcommands().get("search").setUnmatchedOptionsArePositionalParams(true);
        // A bad option or value: one line naming it, and where the options are listed (exit code 2).
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println("reelrank: error: " + ex.getMessage());
            cmd.getErr().println("(`" + cmd.getCommandSpec().qualifiedName(" ") + " --help` lists the options)");
            cmd.getErr().flush();
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            int code = ex instanceof CliException ce ? ce.exitCode() : 1;
            String msg = ex.getMessage() != null ? ex.getMessage() : ex.getClass().getSimpleName();
            cmd.getErr().println("reelrank: error: " + msg);
            cmd.getErr().flush();
            LoggerFactory.getLogger(Main.class).debug("{} failed", cmd.getCommandSpec().qualifiedName(), ex);
            return code;
        });
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"reelrank " + (v != null ? v : "dev")};
        }
    }
}
