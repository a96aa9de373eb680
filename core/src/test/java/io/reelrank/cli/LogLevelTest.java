package io.reelrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Unit checks of the level, and two runs of reelrank as its own process. */
@Tag("integration")
class LogLevelTest {

    @Test
    void defaultsToWarn() {
        assertEquals("warn", LogLevel.of(Map.of()));
        assertEquals("warn", LogLevel.of(Map.of(LogLevel.ENV, " ")));
    }

    @Test
    void acceptsTheFourLevelsInAnyCase() {
        assertEquals("error", LogLevel.of(Map.of(LogLevel.ENV, "error")));
        assertEquals("warn", LogLevel.of(Map.of(LogLevel.ENV, "WARN")));
        assertEquals("info", LogLevel.of(Map.of(LogLevel.ENV, " Info ")));
        assertEquals("debug", LogLevel.of(Map.of(LogLevel.ENV, "debug")));
    }

    @Test
    void debugFlagMeansDebugUnlessTheLevelIsSet() {
        assertEquals("debug", LogLevel.of(Map.of("REELRANK_DEBUG", "1")));
        assertEquals("error", LogLevel.of(Map.of("REELRANK_DEBUG", "1", LogLevel.ENV, "error")));
    }

    @Test
    void rejectsAnUnknownLevelNamingTheValueAndTheAllowedOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> LogLevel.of(Map.of(LogLevel.ENV, "trace")));
        assertEquals("REELRANK_LOG_LEVEL=trace is not a log level; use one of error, warn, info, debug",
                e.getMessage());
    }

    @Test
    void processWithABadLevelExitsTwoWithTheMessage() throws Exception {
        Result r = run(Map.of(LogLevel.ENV, "loud"), "--version");
        assertEquals(2, r.code(), r.output());
        assertEquals(
                "reelrank: error: REELRANK_LOG_LEVEL=loud is not a log level; use one of error, warn, info, debug\n",
                r.output());
    }

    @Test
    void failedCommandLogsItsStackTraceOnlyAtDebug() throws Exception {
        // A bad --limit fails in the command (no database needed): one error line, the trace at debug.
        String[] args = {"search", "--limit", "0", "lord"};
        Result quiet = run(Map.of(), args);
        assertEquals("reelrank: error: --limit must be in 1-1000, got 0\n", quiet.output());
        assertFalse(quiet.output().contains("\tat "), quiet.output());
        Result debug = run(Map.of(LogLevel.ENV, "debug"), args);
        assertEquals(quiet.code(), debug.code(), debug.output());
        assertTrue(debug.output().contains("[DEBUG] Main - reelrank search failed"), debug.output());
        assertTrue(debug.output().contains("\tat io.reelrank."), debug.output());
    }

    private record Result(int code, String output) {
    }

    /** Runs reelrank as its own process (stdout and stderr together) with {@code env} added. */
    private static Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        var cmd = new ArrayList<>(List.of(java.toString(), "-cp",
                System.getProperty("java.class.path"), "io.reelrank.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove(LogLevel.ENV);
        pb.environment().remove("REELRANK_DEBUG");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out);
    }
}
