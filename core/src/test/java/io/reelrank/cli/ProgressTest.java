package io.reelrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ProgressTest {

    @Test
    void withoutATerminalDrawsNothing() {
        StringWriter err = new StringWriter();
        try (Progress p = Progress.on(new PrintWriter(err, true))) { // the test JVM has no console
            assertFalse(p.terminal());
            p.update("ratings", 5, 10, "ratings");
        }
        assertEquals("", err.toString());
    }

    @Test
    void onATerminalDrawsOneBarPerTaskWithItsCount() {
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        try (Progress p = new Progress(new PrintWriter(new StringWriter()),
                new PrintStream(screen, true, StandardCharsets.UTF_8))) {
            assertTrue(p.terminal());
            p.update("ratings", 5, 10, "ratings");
            p.update("ratings", 10, 10, "ratings");
            p.update("tags", 3, 4, "tags");
        }
        String s = screen.toString(StandardCharsets.UTF_8);
        assertTrue(s.contains("ratings 100%") && s.contains("10/10 ratings"), s);
        assertTrue(s.contains("tags  75%") && s.contains("3/4 tags"), s);
        assertTrue(s.indexOf("10/10 ratings") < s.indexOf("3/4 tags"), s);
    }
}
