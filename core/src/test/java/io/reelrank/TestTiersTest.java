package io.reelrank;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every test class belongs to exactly one tier ({@code unit}, {@code integration} or {@code browser}),
 * so {@code -Dgroups=…} runs each tier whole and no class falls out of all of them.
 */
@Tag("unit")
class TestTiersTest {

    static final Set<String> TIERS = Set.of("unit", "integration", "browser");
    private static final Pattern TAG = Pattern.compile("@Tag\\(\"([^\"]*)\"\\)");

    @Test
    void everyTestClassCarriesExactlyOneKnownTier() throws IOException {
        List<String> wrong = new ArrayList<>();
        int classes = 0;
        try (Stream<Path> files = Files.walk(Path.of("src", "test", "java"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith("Test.java")).sorted().toList()) {
                classes++;
                Matcher m = TAG.matcher(Files.readString(f));
                List<String> tags = new ArrayList<>();
                while (m.find()) tags.add(m.group(1));
                if (tags.size() != 1 || !TIERS.contains(tags.get(0))) wrong.add(f + " " + tags);
            }
        }
        assertEquals(List.of(), wrong, "test classes without exactly one of " + TIERS);
        assertEquals(true, classes > 50, "found only " + classes + " test classes under src/test/java");
    }
}
