package io.reelrank.cli;

import io.reelrank.service.Evaluation;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * A staged service's progress as lines on a writer (standard error): {@code [i/n] stage: what} as a
 * stage starts, its result and time indented when it ends, each detail indented likewise; flushed
 * line by line so that a long run shows it is moving.
 */
final class StageProgress implements Evaluation.Listener {

    private final PrintWriter err;
    private final List<String> stages;

    StageProgress(PrintWriter err, List<String> stages) {
        this.err = err;
        this.stages = stages;
    }

    @Override
    public void stageStarted(String stage, String what) {
        line(String.format(Locale.ROOT, "[%d/%d] %s: %s", stages.indexOf(stage) + 1, stages.size(), stage, what));
    }

    @Override
    public void stageDone(String stage, String result, double seconds) {
        line(String.format(Locale.ROOT, "      %s (%.1f s)", result, seconds));
    }

    @Override
    public void detail(String line) {
        line("      " + line);
    }

    void line(String line) {
        err.println(line);
        err.flush();
    }
}
