package io.reelrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.eval.EvalReport;
import io.reelrank.eval.ResultTables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reelrank docs}: the checkout's result tables are what {@code docs/results/sample.json}
 * generates (a table typed or left stale by hand fails here), and the command finds, checks and
 * rewrites marked tables in README.md and in pages under docs/.
 */
@Tag("unit")
class DocsCommandTest {

    private static final Path CHECKOUT = Path.of("..").toAbsolutePath().normalize();

    private static Run docs(String... args) {
        return Run.of(List.of("docs"), args);
    }

    @Test
    void theCheckoutsResultTablesAreGeneratedFromItsResultsFile() {
        Run check = docs("--check", "--root", CHECKOUT.toString());
        assertEquals(new Run(0, "docs: every result table matches its record\n", ""), check);
    }

    @Test
    void theEvaluationPageHoldsBothBlocksOfTheSampleRecord() throws Exception {
        String page = Files.readString(CHECKOUT.resolve("docs").resolve("evaluation.md"));
        List<String> blocks = ResultTables.markers(page).stream()
                .filter(m -> m.record().equals("docs/results/sample.json")).map(ResultTables.Marker::block).toList();
        assertEquals(List.of("search", "recommendation"), blocks);
    }

    @Test
    void aStaleTableFailsTheCheckAndTheCommandRewritesIt(@TempDir Path root) throws Exception {
        Path record = root.resolve("docs").resolve("results").resolve("sample.json");
        Files.createDirectories(record.getParent());
        Files.copy(CHECKOUT.resolve("docs").resolve("results").resolve("sample.json"), record);
        String page = "# Evaluation\n<!-- results docs/results/sample.json recommendation -->\n| typed | 0.1 |\n"
                + "<!-- /results -->\n";
        Files.writeString(root.resolve("docs").resolve("evaluation.md"), page);
        Files.writeString(root.resolve("README.md"), "# reelrank\nno tables here\n");

        Run stale = docs("--check", "--root", root.toString());
        assertEquals(new Run(1, "out of date: docs/evaluation.md\n", "reelrank: error: the docs' result tables differ "
                + "from their records: run `reelrank docs`\n"), stale);
        assertEquals(page, Files.readString(root.resolve("docs").resolve("evaluation.md")), "--check changes nothing");

        assertEquals(new Run(0, "updated: docs/evaluation.md\n", ""), docs("--root", root.toString()));
        String written = Files.readString(root.resolve("docs").resolve("evaluation.md"));
        assertTrue(written.contains(ResultTables.block(EvalReport.readJson(record), "recommendation")), written);
        assertEquals(0, docs("--check", "--root", root.toString()).code());
    }

    @Test
    void aMarkerNamingAMissingRecordSaysWhichPageAndFile(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("README.md"),
                "<!-- results docs/results/none.json search -->\n<!-- /results -->\n");
        Run r = docs("--check", "--root", root.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("reelrank: error: " + root.resolve("README.md") + ": "), r.err());
        assertTrue(r.err().contains("none.json"), r.err());
    }
}
