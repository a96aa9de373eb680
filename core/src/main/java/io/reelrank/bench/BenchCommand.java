package io.reelrank.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank bench …}: benchmarks that print figures and the baseline each one is compared with,
 * measured in the same run. Speed is measured here, never in unit tests.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks; each prints its figures beside a baseline measured in the same run.",
        subcommands = {BenchIngestCommand.class, BenchSearchCommand.class, BenchTagWeightCommand.class,
                BenchEmbedCommand.class, BenchRerankCommand.class, BenchHttpCommand.class, BenchTrainCommand.class,
                BenchFoldInCommand.class, BenchRecommendCommand.class, BenchScaleCommand.class,
                BenchSearchQualityCommand.class, BenchLtrCommand.class, BenchRateCommand.class,
                BenchEventsCommand.class})
public final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
