package io.reelrank.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** What the commands that run {@code reelrank} stages as child processes share (demo --loop, bench scale). */
public final class ChildProcesses {

    private ChildProcesses() {}

    /**
     * The command line that starts {@code reelrank} in a new JVM like this one, with {@code javaOptions}:
     * {@code root} is the class of this process's root command (picocli's {@code spec.root().userObject()}),
     * so the child runs the same command line without the caller naming it.
     */
    public static List<String> javaPrefix(List<String> javaOptions, Class<?> root) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(javaOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(root.getName());
        return cmd;
    }

    /** Deletes a directory and everything under it; nothing when it does not exist. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
