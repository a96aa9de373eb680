package io.reelrank.db;

import java.util.Map;
import java.util.Objects;

/**
 * Where reelrank's PostgreSQL lives: either an external server named by a JDBC URL, host/port/user/
 * database flags or the standard {@code PG*} variables, or, when none of those is given, the private
 * cluster under {@code $REELRANK_HOME/var/pg}. The password is taken only from {@code PGPASSWORD},
 * never from a flag, so it does not end up in shell history or {@code ps} output.
 */
public record DbSettings(String url, String user, String password, boolean privateCluster) {

    /** Flag values as the CLI received them; each may be null. */
    public record Flags(String url, String host, Integer port, String user, String name) {
        public static final Flags NONE = new Flags(null, null, null, null, null);
    }

    public DbSettings {
        Objects.requireNonNull(url, "url");
    }

    /** The private cluster's settings, once it is running on {@code port}. */
    public static DbSettings forPrivateCluster(int port, String user, String password, String database) {
        return new DbSettings("jdbc:postgresql://127.0.0.1:" + port + "/" + database, user, password, true);
    }

    /**
     * Resolves the external server from flags first, then {@code PG*} variables; returns null when
     * nothing names one, which means "use the private cluster".
     */
    public static DbSettings resolveExternal(Flags flags, Map<String, String> env) {
        String password = blankToNull(env.get("PGPASSWORD"));
        String user = first(flags.user(), env.get("PGUSER"));
        if (flags.url() != null) {
            if (!flags.url().startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("--db-url must start with jdbc:postgresql:, got '"
                        + flags.url() + "'");
            }
            return new DbSettings(flags.url(), user, password, false);
        }
        String host = first(flags.host(), env.get("PGHOST"));
        String portText = flags.port() != null ? flags.port().toString() : blankToNull(env.get("PGPORT"));
        String name = first(flags.name(), env.get("PGDATABASE"));
        if (host == null && portText == null && user == null && name == null) {
            return null;
        }
        int port = 5432;
        if (portText != null) {
            try {
                port = Integer.parseInt(portText.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("PGPORT must be a port number (1-65535), got '" + portText + "'");
            }
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("database port must be in 1-65535, got " + port);
        }
        if (host == null) host = "localhost";
        if (user == null) user = System.getProperty("user.name");
        if (name == null) name = user;
        return new DbSettings("jdbc:postgresql://" + host + ":" + port + "/" + name, user, password, false);
    }

    /** Host, port and database parsed back from the URL, for tools such as psql. */
    public String host() {
        return hostPortDb()[0];
    }

    public int port() {
        return Integer.parseInt(hostPortDb()[1]);
    }

    public String database() {
        return hostPortDb()[2];
    }

    private String[] hostPortDb() {
        String rest = url.substring("jdbc:postgresql:".length());
        if (!rest.startsWith("//")) {
            return new String[] {"localhost", "5432", rest.split("\\?")[0]};
        }
        rest = rest.substring(2);
        int slash = rest.indexOf('/');
        String hostPort = slash < 0 ? rest : rest.substring(0, slash);
        String db = slash < 0 ? "" : rest.substring(slash + 1).split("\\?")[0];
        String host = hostPort;
        String port = "5432";
        int colon = hostPort.lastIndexOf(':');
        if (colon > 0 && !hostPort.endsWith("]")) {
            host = hostPort.substring(0, colon);
            port = hostPort.substring(colon + 1);
        }
        return new String[] {host, port, db.isEmpty() ? (user == null ? "postgres" : user) : db};
    }

    /** The URL without credentials, safe to print. */
    public String describe() {
        // query parameters may carry a password (jdbc:postgresql://h/db?password=…): never print them
        String safe = url.contains("?") ? url.substring(0, url.indexOf('?')) : url;
        return (privateCluster ? "private cluster " : "") + safe + (user != null ? " as " + user : "");
    }

    private static String first(String a, String b) {
        return a != null ? blankToNull(a) : blankToNull(b);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
