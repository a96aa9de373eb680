package io.reelrank.cli;

import io.reelrank.model.FactorEngine;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * Where {@code train} and {@code eval} compute the ALS factors: {@code --engine in-process} (this
 * JVM) or {@code --engine spark} (Spark MLlib's ALS on {@code --spark-master}, docs/models.md, "Training on a
 * cluster"). {@link #check} refuses an unknown engine, a Spark option without {@code --engine spark},
 * a master URL Spark would not take and a malformed {@code --spark-conf}, naming the option and the
 * value, and a Spark module missing from the classpath (naming the build command), before the
 * database is touched; {@link #open} then opens the engine, which the caller closes.
 */
final class EngineOptions {

    /** The master {@code --engine spark} uses when none is given: every core of this machine. */
    static final String DEFAULT_MASTER = "local[*]";

    private static final Pattern LOCAL = Pattern.compile("local(\\[(\\*|[0-9]{1,4})(,([0-9]{1,4}))?\\])?");
    private static final Pattern STANDALONE = Pattern.compile("spark://(.+)");
    private static final Pattern HOST_PORT = Pattern.compile("([A-Za-z0-9.\\-]+|\\[[0-9A-Fa-f:.]+\\]):([0-9]{1,5})");
    private static final Pattern CONF_KEY = Pattern.compile("spark\\.[A-Za-z0-9_.\\-]+");

    @Option(names = "--engine", paramLabel = "ENGINE", defaultValue = FactorEngine.IN_PROCESS,
            description = "Where the ALS factors are computed: in-process (this JVM, --threads) or spark (Spark "
                    + "MLlib's ALS on --spark-master; needs the Spark module, docs/models.md, "
                    + "\"Training on a cluster\") "
                    + "(default: ${DEFAULT-VALUE})")
    String engine = FactorEngine.IN_PROCESS;

    @Option(names = "--spark-master", paramLabel = "URL",
            description = "With --engine spark: local, local[N], local[*] or spark://HOST:PORT of a standalone master "
                    + "(several for high availability: spark://H1:P1,H2:P2) (default: " + DEFAULT_MASTER + ")")
    String master;

    @Option(names = "--spark-conf", paramLabel = "KEY=VALUE",
            description = "With --engine spark: one Spark setting, repeatable, e.g. spark.executor.memory=2g")
    List<String> conf;

    /**
     * The checked choice: engine name, master URL and Spark settings, and the Spark module's provider (null
     * in-process).
     */
    record EngineChoice(String engine, String master, Map<String, String> conf, FactorEngine.Provider provider) {
        boolean spark() {
            return provider != null;
        }
    }

    EngineChoice check() {
        String e = engine.toLowerCase(Locale.ROOT);
        if (!e.equals(FactorEngine.IN_PROCESS) && !e.equals(FactorEngine.SPARK)) {
            throw CliException.badInput("--engine must be " + FactorEngine.IN_PROCESS + " or " + FactorEngine.SPARK
                    + ", got '" + engine + "'");
        }
        if (!e.equals(FactorEngine.SPARK)) {
            if (master != null) {
                throw CliException.badInput("--spark-master needs --engine spark (the factors are computed in-process "
                        + "otherwise), got --spark-master " + master + " with --engine " + e);
            }
            if (conf != null && !conf.isEmpty()) {
                throw CliException.badInput("--spark-conf needs --engine spark, got --spark-conf " + conf.get(0)
                        + " with --engine " + e);
            }
            return new EngineChoice(e, null, Map.of(), null);
        }
        String url = master != null ? master : DEFAULT_MASTER;
        checkMaster(url);
        Map<String, String> settings = new LinkedHashMap<>();
        for (String kv : conf != null ? conf : List.<String>of()) {
            int eq = kv.indexOf('=');
            String key = eq < 0 ? kv : kv.substring(0, eq);
            if (eq < 0 || !CONF_KEY.matcher(key).matches() || eq == kv.length() - 1) {
                throw CliException.badInput("--spark-conf must be KEY=VALUE with a key starting with 'spark.' and a "
                        + "value, got '" + kv + "'");
            }
            if (key.equals("spark.master")) {
                throw CliException.badInput("--spark-conf cannot set spark.master; use --spark-master, got '"
                        + kv + "'");
            }
            settings.put(key, kv.substring(eq + 1));
        }
        try {
            return new EngineChoice(e, url, Map.copyOf(settings), FactorEngine.provider(FactorEngine.SPARK));
        } catch (IllegalStateException missing) {
            throw new CliException(1, missing.getMessage());
        }
    }

    /** Refuses a master URL that is neither local mode nor a standalone master, saying which forms are taken. */
    static void checkMaster(String url) {
        String forms = "local, local[N], local[*] or spark://HOST:PORT (a standalone master; several for high "
                + "availability: spark://H1:P1,H2:P2)";
        Matcher local = LOCAL.matcher(url);
        if (local.matches()) {
            String threads = local.group(2);
            if (threads != null && !threads.equals("*") && Integer.parseInt(threads) < 1) {
                throw CliException.badInput("--spark-master local[N] needs N >= 1 threads, got '" + url + "'");
            }
            return;
        }
        Matcher standalone = STANDALONE.matcher(url);
        if (!standalone.matches()) {
            String why = url.startsWith("yarn") || url.startsWith("k8s://") || url.startsWith("mesos://")
                    ? " (YARN and Kubernetes masters need Spark modules this build does not include)" : "";
            throw CliException.badInput("--spark-master must be " + forms + why + ", got '" + url + "'");
        }
        for (String hp : standalone.group(1).split(",", -1)) {
            Matcher m = HOST_PORT.matcher(hp);
            if (!m.matches()) {
                throw CliException.badInput("--spark-master must be " + forms + "; '" + hp + "' is not HOST:PORT, got '"
                        + url + "'");
            }
            int port = Integer.parseInt(m.group(2));
            if (port < 1 || port > 65535) {
                throw CliException.badInput("--spark-master port must be in 1-65535, got " + port + " in '"
                        + url + "'");
            }
        }
    }

    /** Opens the checked engine: in-process on {@code threads} threads, or the Spark module's engine. */
    static FactorEngine open(EngineChoice plan, int threads, Consumer<String> progress) {
        if (!plan.spark()) return FactorEngine.inProcess(threads);
        try {
            return plan.provider().open(plan.master(), plan.conf(), progress);
        } catch (IllegalStateException e) {
            throw new CliException(1, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(e.getMessage());
        }
    }
}
