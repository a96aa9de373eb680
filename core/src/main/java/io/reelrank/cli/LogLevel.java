package io.reelrank.cli;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The log level of a {@code reelrank} process, from {@code REELRANK_LOG_LEVEL} ({@code error},
 * {@code warn}, {@code info} or {@code debug}; default {@code warn}, or {@code debug} when the older
 * {@code REELRANK_DEBUG=1} is set). The binding is slf4j-simple (its defaults in
 * {@code simplelogger.properties}); {@link #apply} must run before the first logger is created, so
 * {@link io.reelrank.Main#main} calls it first. A value outside the four is an error naming the value
 * and the allowed ones.
 */
public final class LogLevel {

    /** The variable naming the level. */
    static final String ENV = "REELRANK_LOG_LEVEL";

    /** The levels accepted, quietest first. */
    static final List<String> LEVELS = List.of("error", "warn", "info", "debug");

    /** slf4j-simple's property for the level of every logger without its own. */
    static final String SIMPLE_LOGGER_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";

    private LogLevel() {
    }

    /**
     * The level {@code env} asks for: {@code REELRANK_LOG_LEVEL} (any case, surrounding blanks ignored),
     * else {@code debug} when {@code REELRANK_DEBUG=1}, else {@code warn}.
     *
     * @throws IllegalArgumentException when the variable is set to anything but the four levels
     */
    static String of(Map<String, String> env) {
        String v = env.get(ENV);
        if (v == null || v.isBlank()) return "1".equals(env.get("REELRANK_DEBUG")) ? "debug" : "warn";
        String level = v.strip().toLowerCase(Locale.ROOT);
        if (!LEVELS.contains(level)) {
            throw new IllegalArgumentException(ENV + "=" + v + " is not a log level; use one of "
                    + String.join(", ", LEVELS));
        }
        return level;
    }

    /** Sets the process's log level from {@code env} (see {@link #of}); call before any logger exists. */
    public static void apply(Map<String, String> env) {
        System.setProperty(SIMPLE_LOGGER_PROPERTY, of(env));
    }
}
