package io.reelrank.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code reelrank bench}: the benchmarks, each printing the baseline it is measured against. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks; each prints its baseline from the same run.",
        subcommands = {BenchEmbedCommand.class})
public final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
