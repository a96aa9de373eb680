package io.reelrank.cli;

import io.reelrank.db.Database;
import io.reelrank.db.DbSettings;
import picocli.CommandLine.Option;

/**
 * The database connection options every command that touches PostgreSQL shares. With none of them
 * and none of the {@code PG*} variables set, the command uses the private cluster, started on demand.
 * The password comes only from {@code PGPASSWORD}.
 */
public final class DbOptions {

    @Option(names = "--db-url", paramLabel = "URL", description = "JDBC URL, e.g. jdbc:postgresql://host:5432/movies")
    String url;

    @Option(names = "--db-host", paramLabel = "HOST", description = "Database host (default: $PGHOST)")
    String host;

    @Option(names = "--db-port", paramLabel = "PORT", description = "Database port (default: $PGPORT, else 5432)")
    Integer port;

    @Option(names = "--db-user", paramLabel = "USER", description = "Database user (default: $PGUSER)")
    String user;

    @Option(names = "--db-name", paramLabel = "NAME", description = "Database name (default: $PGDATABASE)")
    String name;

    public DbSettings.Flags flags() {
        return new DbSettings.Flags(url, host, port, user, name);
    }

    /** Opens (and if private, starts) the database and migrates its schema. */
    public Database open() {
        try {
            return Database.open(flags(), System.getenv(), Home.path());
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(e.getMessage());
        }
    }
}
