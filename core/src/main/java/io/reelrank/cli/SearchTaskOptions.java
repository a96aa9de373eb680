package io.reelrank.cli;

import io.reelrank.eval.SearchQualityTasks;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * {@code eval --search-tasks}: which search-quality tasks (docs/search-quality.md) the evaluation runs
 * on test after its own, as a list of typo, exact and descriptive, or {@code none}. The caller reads
 * {@link #tasks()}, which refuses anything else with the option, the value and what is allowed.
 */
public final class SearchTaskOptions {

    @Option(names = "--search-tasks", paramLabel = "LIST", defaultValue = "typo,exact,descriptive",
            description = "Search-quality tasks to run on test: a list of typo, exact, descriptive, or none "
                    + "(docs/search-quality.md; the descriptive task builds its own index under --out-dir) "
                    + "(default: ${DEFAULT-VALUE})")
    String list;

    /** The tasks asked for, in eval's order; none: an empty list. */
    public List<String> tasks() {
        String v = list.trim().toLowerCase(Locale.ROOT);
        if (v.equals("none")) return List.of();
        List<String> asked = new ArrayList<>();
        for (String t : v.split(",")) {
            String task = t.trim();
            if (!SearchQualityTasks.ALL.contains(task)) {
                throw CliException.badInput("--search-tasks must be a list of typo, exact, descriptive, or none, "
                        + "got '" + t.trim() + "'");
            }
            asked.add(task);
        }
        return SearchQualityTasks.ALL.stream().filter(asked::contains).toList();
    }
}
