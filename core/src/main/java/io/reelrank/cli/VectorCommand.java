package io.reelrank.cli;

import io.reelrank.embed.Encoder;
import io.reelrank.embed.OpenAiEncoder;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code reelrank vector TEXT}: the embedding of a text as a JSON array, to compare with other tools. */
@Command(name = "vector", mixinStandardHelpOptions = true,
        description = "Print the embedding of TEXT as a JSON array (unit length; floats as Java prints them, "
                + "which round-trip).")
public final class VectorCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    EncoderOptions encoderOptions;

    @Parameters(arity = "1..*", paramLabel = "TEXT", description = "The text; several words are joined by spaces")
    List<String> words;

    @Override
    public Integer call() {
        String text = String.join(" ", words);
        float[] v;
        try (Encoder enc = encoderOptions.open(1)) {
            v = enc.encode(text);
        } catch (OpenAiEncoder.ApiException e) {
            throw new CliException(e.status() >= 400 && e.status() < 500 && e.status() != 429 ? 2 : 1, e.getMessage());
        }
        StringBuilder sb = new StringBuilder(v.length * 12).append('[');
        for (int i = 0; i < v.length; i++) {
            if (i > 0) sb.append(',');
            sb.append(Float.toString(v[i]));
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(sb.append(']'));
        out.flush();
        return 0;
    }
}
