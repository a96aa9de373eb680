package io.reelrank.cli;

import io.reelrank.db.Database;
import io.reelrank.db.DbSettings;
import io.reelrank.db.PrivateCluster;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/** {@code reelrank db start|stop|status|psql}: manages the private cluster and opens psql on the database. */
@Command(name = "db", mixinStandardHelpOptions = true,
        description = "Manage the private PostgreSQL cluster (under $REELRANK_HOME/var/pg) or open psql.",
        subcommands = {DbCommand.Start.class, DbCommand.Stop.class, DbCommand.Status.class, DbCommand.Psql.class})
public final class DbCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Start the private cluster (initialising it on first use) and apply the schema.")
    static final class Start implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrivateCluster cluster = PrivateCluster.inHome(Home.path());
            boolean wasRunning = cluster.runningPort() > 0;
            Database db = new DbOptions().open();
            spec.commandLine().getOut().printf(Locale.ROOT, "%s: %s%n", wasRunning ? "already running" : "started",
                    db.settings().describe());
            return 0;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop the private cluster.")
    static final class Stop implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrivateCluster cluster = PrivateCluster.inHome(Home.path());
            spec.commandLine().getOut().println(cluster.stop() ? "stopped " + cluster.directory()
                    : "not running: " + cluster.directory());
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Say whether the private cluster runs, and on which port. Exit code 0 if it runs, 3 if not.")
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrivateCluster cluster = PrivateCluster.inHome(Home.path());
            PrintWriter out = spec.commandLine().getOut();
            int port = cluster.runningPort();
            if (port > 0) {
                out.printf(Locale.ROOT, "running: 127.0.0.1:%d, data %s, log %s%n", port, cluster.dataDirectory(),
                        cluster.logFile());
                return 0;
            }
            out.printf(Locale.ROOT, "%s: %s%n", cluster.isInitialized() ? "stopped" : "not initialised",
                    cluster.directory());
            return 3;
        }
    }

    @Command(name = "psql", mixinStandardHelpOptions = true,
            description = "Open psql on the database (private cluster unless connection options say otherwise); "
                    + "extra arguments go to psql, e.g. -c \"SELECT 1\".")
    static final class Psql implements Callable<Integer> {
        @Mixin
        DbOptions db;

        @Unmatched
        List<String> extra = new ArrayList<>();

        @Parameters(arity = "0..*", paramLabel = "PSQL_ARG", description = "Arguments passed to psql.")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws IOException, InterruptedException {
            DbSettings s = db.open().settings();
            List<String> cmd = new ArrayList<>(List.of("psql", "-h", s.host(), "-p", String.valueOf(s.port()),
                    "-d", s.database()));
            if (s.user() != null) cmd.addAll(List.of("-U", s.user()));
            cmd.addAll(extra);
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
            if (s.password() != null) pb.environment().put("PGPASSWORD", s.password());
            return pb.start().waitFor();
        }
    }
}
