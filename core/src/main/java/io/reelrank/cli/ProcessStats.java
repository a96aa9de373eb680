package io.reelrank.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A process's own peak resident memory (Linux's {@code VmHWM} in {@code /proc/self/status}: the
 * high-water mark of its resident set, which only the process can still read at its end) and CPU time.
 * When {@code REELRANK_PROCESS_STATS} names a file, {@code reelrank} writes both there as it exits,
 * normally or on SIGTERM, so a parent that ran it as a child (as {@code bench scale} does) gets the
 * child's own figures; the parent reads them back with {@link #read}. Linux only.
 */
public record ProcessStats(long peakKb, long cpuMillis) {

    /** The variable naming the file to write at exit. */
    public static final String ENV = "REELRANK_PROCESS_STATS";

    /** Registers the exit hook when {@code env} asks for it; does nothing otherwise. */
    public static void writeAtExitIfAsked(Map<String, String> env) {
        String file = env.get(ENV);
        if (file == null || file.isBlank()) return;
        Path out = Path.of(file);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                ProcessStats s = ofThisProcess();
                Files.writeString(out, "vmhwm_kb " + s.peakKb() + "\ncpu_ms " + s.cpuMillis() + "\n",
                        StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                System.err.println("reelrank: cannot write " + ENV + " file " + out + ": " + e.getMessage());
            }
        }, "reelrank-process-stats"));
    }

    /** This process's figures so far. */
    static ProcessStats ofThisProcess() throws IOException {
        long kb = -1;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
            if (line.startsWith("VmHWM:")) kb = Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
        }
        if (kb < 0) throw new IllegalStateException("/proc/self/status has no VmHWM line (Linux only)");
        long cpu = ProcessHandle.current().info().totalCpuDuration().map(Duration::toMillis).orElse(-1L);
        return new ProcessStats(kb, cpu);
    }

    /** Reads a file written at exit; fails naming the file and what is missing. */
    public static ProcessStats read(Path file) {
        Map<String, Long> v = new HashMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] kv = line.trim().split("\\s+");
                if (kv.length == 2) v.put(kv[0], Long.parseLong(kv[1]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the child process wrote no " + ENV + " file " + file + " at exit", e);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(file + ": not a number: " + e.getMessage());
        }
        if (!v.containsKey("vmhwm_kb") || !v.containsKey("cpu_ms")) {
            throw new IllegalStateException(file + " lacks vmhwm_kb or cpu_ms: " + v);
        }
        return new ProcessStats(v.get("vmhwm_kb"), v.get("cpu_ms"));
    }

    public double peakMb() {
        return peakKb / 1024.0;
    }
}
