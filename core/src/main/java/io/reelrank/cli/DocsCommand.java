package io.reelrank.cli;

import io.reelrank.eval.ResultTables;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank docs}: regenerates the result tables of the docs ({@code README.md} and the pages
 * under {@code docs/}) from the JSON records they name, between their marker comments
 * ({@link ResultTables}); {@code --check} changes nothing and exits 1 when a table differs from its
 * record. Run it after {@code reelrank eval --json docs/results/sample.json}.
 */
@Command(name = "docs", mixinStandardHelpOptions = true, description = {
        "Regenerate the docs' result tables from the JSON records they name (docs/evaluation.md).",
        "The tables sit between <!-- results FILE BLOCK --> and <!-- /results --> in README.md and docs/*.md."})
public final class DocsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--root", paramLabel = "DIR",
            description = "The checkout whose README.md and docs/ to update (default: REELRANK_HOME)")
    Path root;

    @Option(names = "--check", description = "Change nothing; exit 1 when a table differs from its record")
    boolean check;

    @Override
    public Integer call() {
        Path dir = root != null ? root : Home.path();
        PrintWriter out = spec.commandLine().getOut();
        Map<Path, String> stale;
        try {
            stale = ResultTables.stale(dir);
            if (!check) {
                for (Map.Entry<Path, String> e : stale.entrySet()) {
                    Files.writeString(e.getKey(), e.getValue(), StandardCharsets.UTF_8);
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new CliException(1, e.getMessage(), e);
        }
        for (Path p : stale.keySet()) {
            out.println((check ? "out of date: " : "updated: ") + dir.relativize(p));
        }
        if (stale.isEmpty()) out.println("docs: every result table matches its record");
        out.flush();
        if (check && !stale.isEmpty()) {
            throw new CliException(1, "the docs' result tables differ from their records: run `reelrank docs`");
        }
        return 0;
    }
}
