package io.reelrank.cli;

import io.reelrank.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * One run of the {@code reelrank} command line in-process, as a user would type it: its exit code
 * and everything it printed on standard output and standard error.
 */
public record Run(int code, String out, String err) {

    /** Runs {@code prefix} followed by {@code args}, e.g. {@code of(List.of("search"), "lord")}. */
    public static Run of(List<String> prefix, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(prefix);
        all.addAll(List.of(args));
        int code = cl.execute(all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }
}
