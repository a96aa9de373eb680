package io.reelrank.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of long work ({@code ingest}, {@code embed}, {@code generate}) on standard error. With a
 * terminal attached ({@code System.console() != null}) it draws a progress bar (me.tongfei:progressbar)
 * redrawn in place, one per task; without one it draws nothing and the caller prints its plain progress
 * lines, unchanged (scripts and tests read them). The caller asks {@link #terminal}, reports with
 * {@link #update} and closes it when the work ends or fails, which ends the bar's line.
 */
final class Progress implements AutoCloseable {

    private final PrintWriter err;
    private final PrintStream terminal;
    private ProgressBar bar;
    private String task;

    /** Bars on {@code terminal} (standard error when it is a terminal), or none when it is null. */
    Progress(PrintWriter err, PrintStream terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    /** Bars on {@code err}'s terminal when there is one; plain lines (the caller's) otherwise. */
    static Progress on(PrintWriter err) {
        return new Progress(err, System.console() != null ? System.err : null);
    }

    /** True when bars are drawn: the caller then prints no plain progress line. */
    boolean terminal() {
        return terminal != null;
    }

    /**
     * Moves the bar of {@code task} to {@code done} of {@code total} {@code unit} (a total below 0: not
     * known); a new task ends the previous bar. Does nothing without a terminal.
     */
    void update(String task, long done, long total, String unit) {
        if (terminal == null) return;
        if (bar == null || !task.equals(this.task)) {
            close();
            err.flush();
            this.task = task;
            bar = new ProgressBarBuilder().setTaskName("  " + task).setInitialMax(total).setUnit(" " + unit, 1)
                    .showSpeed().setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
                    .setConsumer(new ConsoleProgressBarConsumer(terminal)).build();
        }
        if (total >= 0) bar.maxHint(total);
        bar.stepTo(done);
    }

    /** Ends the current bar; its last state stays on its own line, above the caller's summary. */
    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
