package io.reelrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code reelrank serve} and {@code reelrank bench http} refuse bad options with exit 2 before touching anything. */
@Tag("unit")
class ServeCommandTest {

    /** Exit code, standard output and standard error of one in-process run ({@link Run#of}). */
    private static String[] run(String... args) {
        Run r = Run.of(List.of(), args);
        return new String[] {Integer.toString(r.code()), r.out(), r.err()};
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "serve --port 70000                 | port must be in 0-65535, got 70000",
        "serve --threads 0                  | threads must be in 1-256, got 0",
        "serve --bind ' '                   | bind address must not be empty",
        "serve --shrinkage -1               | shrinkage must be a finite number >= 0, got -1.0",
        "serve --queue -1                   | queue must be in 0-100000, got -1",
        "serve --queue-timeout 0            | queue wait must be in 1-600000 ms, got 0",
        "serve --idle-timeout 50            | idle timeout must be in 100-3600000 ms, got 50",
        "serve --shutdown-timeout 700000    | shutdown timeout must be in 0-600000 ms, got 700000",
        "serve --db-timeout 100             | db timeout must be in 250-600000 ms, got 100",
        "bench http --seconds 0             | --seconds must be in 1-3600, got 0",
        "bench http --clients 65            | --clients must be in 1-64, got 65",
        "bench http --warmup 601            | --warmup must be in 0-600, got 601",
        "bench http --queries 4             | --queries must be in 5-100000, got 4",
        "bench http --url http://10.1.2.3:80/ | --url must be http://<loopback address>:<port>/, "
                + "got http://10.1.2.3:80/",
    })
    void rejectsABadOptionWithItsRange(String args, String message) {
        String[] r = run(split(args));
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains(message), r[2]);
    }

    /** Splits on spaces, keeping a single-quoted part whole ({@code ' '} is one blank argument). */
    private static String[] split(String s) {
        java.util.List<String> out = new java.util.ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false, any = false;
        for (char c : s.trim().toCharArray()) {
            if (c == '\'') {
                quoted = !quoted;
                any = true;
            } else if (c == ' ' && !quoted) {
                if (any) out.add(cur.toString());
                cur.setLength(0);
                any = false;
            } else {
                cur.append(c);
                any = true;
            }
        }
        if (any) out.add(cur.toString());
        return out.toArray(new String[0]);
    }

    @Test
    void helpListsServeAndBenchHttp() {
        assertTrue(run("--help")[1].contains("serve"));
        assertTrue(run("bench", "--help")[1].contains("http"));
    }
}
