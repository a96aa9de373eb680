package io.reelrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code reelrank train} and {@code reelrank recommend} refuse bad options with the option, range and value. */
@Tag("unit")
class TrainCommandTest {

    private static Run train(String... args) {
        return Run.of(List.of("train"), args);
    }

    /** picocli's refusal of a value its converter rejects (exit code 2). */
    private static Run invalid(String option, String message) {
        return new Run(2, "", "reelrank: error: Invalid value for option '" + option + "': " + message
                + "\n(`reelrank train --help` lists the options)\n");
    }

    @Test
    void badHyperparametersNameTheOptionTheRangeAndTheValue() {
        assertEquals(invalid("--rank", "values must be in [1, 1024], got 2000"), train("--rank", "2000"));
        assertEquals(invalid("--rank", "values must be whole numbers, got 8.5"), train("--rank", "8.5"));
        assertEquals(invalid("--als-alpha", "values must be in [0, ∞), got -1"), train("--als-alpha", "-1"));
        assertEquals(invalid("--lambda", "values must be > 0, got 0.0"), train("--lambda", "0,0.1"));
        assertEquals(invalid("--iterations", "values must be in [1, 1000], got 0"), train("--iterations", "0"));
        assertEquals(invalid("--midpoint", "values must be in [0, 5], got 6"), train("--midpoint", "6"));
        assertEquals(invalid("--blend", "values must be finite numbers (a value, a list 0.5,1,2 or a range "
                + "from:to:step), got 'x'"), train("--blend", "x"));
        assertEquals(invalid("--ridge", "must be a finite number > 0, got 0.0"), train("--ridge", "0"));
        assertEquals(invalid("--min-fit", "must be >= 1, got 0"), train("--min-fit", "0"));
        assertEquals(invalid("--threads", "must be in 1-256, got 0"), train("--threads", "0"));
        assertEquals(invalid("--threads", "must be a whole number in 1-256, got 'many'"), train("--threads", "many"));
        assertEquals(new Run(2, "", "reelrank: error: --shrinkage must be a finite number >= 0, got -1.0\n"),
                train("--shrinkage", "-1"));
        Run grid = train("--rank", "1:1000:1", "--als-alpha", "1,2");
        assertEquals(2, grid.code());
        assertTrue(grid.err().contains("the model grid must have at most 1000 settings, got 2000"), grid.err());
    }

    @Test
    void clickOptionsNameTheOptionTheRangeAndTheValue() {
        assertEquals(new Run(2, "", "reelrank: error: --min-propensity must be in (0, 1], got 0.0\n"),
                train("--judgments-from", "clicks", "--min-propensity", "0"));
        assertEquals(new Run(2, "", "reelrank: error: --min-propensity must be in (0, 1], got 1.5\n"),
                train("--judgments-from", "clicks", "--min-propensity", "1.5"));
        assertEquals(new Run(2, "", "reelrank: error: --judgments-from must be ratings, clicks or both, got "
                + "'views'\n"), train("--judgments-from", "views"));
        assertEquals(new Run(2, "", "reelrank: error: --no-debias, --min-propensity and --clicks-since apply to "
                + "--judgments-from clicks or both\n"), train("--no-debias"));
        assertEquals(new Run(2, "", "reelrank: error: --clicks-since must be an ISO-8601 instant "
                + "(2026-12-01T00:00:00Z) or date (2026-12-01), got 'yesterday'\n"),
                train("--judgments-from", "clicks", "--clicks-since", "yesterday"));
        assertEquals(new Run(2, "", "reelrank: error: --judgments-from clicks trains the search ranker: --no-ranker "
                + "excludes it\n"), train("--judgments-from", "clicks", "--no-ranker"));
    }

    @Test
    void sparkOptionsNeedTheSparkEngineAndAMasterSparkTakes() {
        assertEquals(new Run(2, "", "reelrank: error: --spark-master needs --engine spark (the factors are computed "
                + "in-process otherwise), got --spark-master local[2] with --engine in-process\n"),
                train("--spark-master", "local[2]"));
        assertEquals(new Run(2, "", "reelrank: error: --spark-conf needs --engine spark, got --spark-conf "
                + "spark.executor.memory=2g with --engine in-process\n"), train("--spark-conf", "spark.executor.memory=2g"));
        assertEquals(new Run(2, "", "reelrank: error: --engine must be in-process or spark, got 'flink'\n"),
                train("--engine", "flink"));
        String forms = "local, local[N], local[*] or spark://HOST:PORT (a standalone master; several for high "
                + "availability: spark://H1:P1,H2:P2)";
        assertEquals(new Run(2, "", "reelrank: error: --spark-master must be " + forms + ", got 'http://127.0.0.1:7077'\n"),
                train("--engine", "spark", "--spark-master", "http://127.0.0.1:7077"));
        assertEquals(new Run(2, "", "reelrank: error: --spark-master must be " + forms + "; 'master' is not HOST:PORT, "
                + "got 'spark://master'\n"), train("--engine", "spark", "--spark-master", "spark://master"));
        assertEquals(new Run(2, "", "reelrank: error: --spark-master port must be in 1-65535, got 70000 in "
                + "'spark://127.0.0.1:70000'\n"), train("--engine", "spark", "--spark-master", "spark://127.0.0.1:70000"));
        assertEquals(new Run(2, "", "reelrank: error: --spark-master local[N] needs N >= 1 threads, got 'local[0]'\n"),
                train("--engine", "spark", "--spark-master", "local[0]"));
        assertEquals(new Run(2, "", "reelrank: error: --spark-master must be " + forms + " (YARN and Kubernetes masters "
                + "need Spark modules this build does not include), got 'yarn'\n"),
                train("--engine", "spark", "--spark-master", "yarn"));
        assertEquals(new Run(2, "", "reelrank: error: --spark-conf must be KEY=VALUE with a key starting with 'spark.' "
                + "and a value, got 'executor.memory=2g'\n"),
                train("--engine", "spark", "--spark-conf", "executor.memory=2g"));
        assertEquals(new Run(2, "", "reelrank: error: --spark-conf cannot set spark.master; use --spark-master, got "
                + "'spark.master=local'\n"), train("--engine", "spark", "--spark-conf", "spark.master=local"));
        Run eval = Run.of(List.of("eval"), "--spark-master", "spark://127.0.0.1:7077");
        assertEquals(2, eval.code(), eval.err());
        assertTrue(eval.err().contains("--spark-master needs --engine spark"), eval.err());
    }

    @Test
    void theSparkEngineWithoutItsModuleNamesTheBuildCommand() {
        // The core's class path never holds the Spark module: the CLI says how to get it, before touching the database.
        for (String command : List.of("train", "eval")) {
            Run r = Run.of(List.of(command), "--engine", "spark", "--spark-master", "local[2]");
            assertEquals(new Run(1, "", "reelrank: error: the Spark engine is not on this process's classpath: build it "
                    + "with `./reelrank build-spark` (Maven: mvn -B -pl spark -am -DskipTests package), then run the "
                    + "command through ./reelrank, which puts the Spark module's jars on the classpath for --engine spark\n"), r);
        }
    }

    @Test
    void theDefaultGridIsThreeConfidenceScalesAtRank64() {
        // What `train` and `demo` search when given no model option.
        var grid = new ModelOptions().grid();
        assertEquals(3, grid.size());
        assertEquals(List.of(0.5, 1.0, 2.0), grid.stream().map(s -> s.als().alpha()).toList());
        for (var s : grid) {
            assertEquals(64, s.als().rank());
            assertEquals(10, s.als().iterations());
            assertEquals(0.1, s.als().lambda(), 0.0);
            assertEquals(3.0, s.als().midpoint(), 0.0);
            assertEquals(0.0, s.blend(), 0.0);
        }
    }

    @Test
    void recommendRefusesBadOptionsTheSameWay() {
        assertEquals(new Run(2, "", "reelrank: error: --limit must be in 1-1000, got 0\n"),
                Run.of(List.of("recommend"), "414", "--limit", "0"));
        assertEquals(new Run(2, "", "reelrank: error: --year-from must not be after year-to, got 2000 > 1990\n"),
                Run.of(List.of("recommend"), "414", "--year-from", "2000", "--year-to", "1990"));
        assertEquals(new Run(2, "", "reelrank: error: USER must be a positive integer, got 0\n"),
                Run.of(List.of("recommend"), "0"));
    }
}
