package io.reelrank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/install-deps}: finding the Debian mirror from either apt sources format (deb822
 * files as in containers, the one-line {@code sources.list} as debootstrap and many VM images write)
 * and naming the failing step when something goes wrong. Runs the real script with
 * {@code --print-mirror}, pointed at sources files written here through its
 * {@code REELRANK_APT_SOURCES_LIST} and {@code REELRANK_APT_SOURCES_DIR} settings; nothing is installed.
 */
@Tag("integration")
class InstallDepsTest {

    static final Path SCRIPT = Path.of("..", "scripts", "install-deps").toAbsolutePath().normalize();

    /** What a Debian 12 container image ships as /etc/apt/sources.list.d/debian.sources. */
    static final String CONTAINER_SOURCES = """
            Types: deb
            # http://snapshot.debian.org/archive/debian/20250520T000000Z
            URIs: http://deb.debian.org/debian
            Suites: bookworm bookworm-updates
            Components: main
            Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

            Types: deb
            URIs: http://deb.debian.org/debian-security
            Suites: bookworm-security
            Components: main
            Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
            """;

    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {}

    private Run printMirror(Path list, Path dir, String... runAs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(runAs));
        cmd.addAll(List.of("env", "REELRANK_APT_SOURCES_LIST=" + list, "REELRANK_APT_SOURCES_DIR=" + dir,
                "bash", SCRIPT.toString(), "--print-mirror"));
        return run(cmd);
    }

    private Run run(List<String> cmd) throws IOException, InterruptedException {
        Path out = tmp.resolve("out.txt");
        Path err = tmp.resolve("err.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "install-deps --print-mirror hung");
        return new Run(p.exitValue(), Files.readString(out).strip(), Files.readString(err).strip());
    }

    private Path write(String name, String text) throws IOException {
        Path f = tmp.resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void findsTheMirrorInADeb822SourcesFileAsContainersHaveIt() throws Exception {
        write("d/debian.sources", CONTAINER_SOURCES);
        Run r = printMirror(tmp.resolve("no-sources.list"), tmp.resolve("d"));
        assertEquals(new Run(0, "http://deb.debian.org/debian", ""), r);
    }

    @Test
    void findsTheMirrorInAOneLineSourcesListWhenNoDeb822FileExists() throws Exception {
        // The layout that made the former script exit 2 without a word: no *.sources file at all.
        Path list = write("sources.list", """
                deb http://ftp.de.debian.org/debian bookworm main
                deb http://security.debian.org/debian-security bookworm-security main
                """);
        Files.createDirectories(tmp.resolve("d"));
        Run r = printMirror(list, tmp.resolve("d"));
        assertEquals(new Run(0, "http://ftp.de.debian.org/debian", ""), r);
    }

    @Test
    void skipsSecurityAndUpdatesEntriesCommentsAndOptionBrackets() throws Exception {
        Path list = write("sources.list", """
                # deb http://commented.example/debian bookworm main
                deb http://security.debian.org/debian-security bookworm-security main
                deb http://deb.debian.org/debian bookworm-updates main
                deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] \
                http://mirror.example.org/debian/ bookworm main
                """);
        write("d/other.list", "deb http://later.example/debian bookworm main\n");
        Run r = printMirror(list, tmp.resolve("d"));
        assertEquals(new Run(0, "http://mirror.example.org/debian/", ""), r);
    }

    @Test
    void readsOneLineListsInTheSourcesDirectoryToo() throws Exception {
        write("d/mirror.list", "deb-src http://mirror.example.net/debian bookworm main\n");
        Run r = printMirror(tmp.resolve("absent"), tmp.resolve("d"));
        assertEquals(new Run(0, "http://mirror.example.net/debian", ""), r);
    }

    @Test
    void saysWhereItLookedWhenNoSourceNamesAMirror() throws Exception {
        write("d/disabled.sources", CONTAINER_SOURCES.replace("Types: deb\n", "Types: deb\nEnabled: no\n"));
        Run r = printMirror(tmp.resolve("absent"), tmp.resolve("d"));
        assertEquals(1, r.exit());
        assertEquals("", r.out());
        assertEquals("install-deps: error: no Debian mirror in " + tmp.resolve("d") + "/*.sources, "
                + tmp.resolve("absent") + " or " + tmp.resolve("d") + "/*.list (need a 'deb' entry for bookworm)",
                r.err());
    }

    @Test
    void namesTheFailingStepWhenASourcesFileCannotBeRead() throws Exception {
        Path d = tmp.resolve("d");
        Path f = write("d/unreadable.list", "deb http://deb.debian.org/debian bookworm main\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("---------"));
        // Root reads any file, so as root the script runs as nobody (who can read the script and this directory).
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path script = tmp.resolve("install-deps");
        Files.copy(SCRIPT, script);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> cmd = new ArrayList<>(root ? List.of("runuser", "-u", "nobody", "--") : List.of());
        cmd.addAll(List.of("env", "REELRANK_APT_SOURCES_LIST=" + tmp.resolve("absent"), "REELRANK_APT_SOURCES_DIR=" + d,
                "bash", script.toString(), "--print-mirror"));
        Run r = run(cmd);
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("install-deps: error: step \"finding the Debian mirror in " + d + "/*.sources, "
                + tmp.resolve("absent") + " and " + d + "/*.list\" failed (exit 2, line "), r.err());
        assertTrue(r.err().contains("Permission denied"), r.err());
    }

    @Test
    void refusesAnUnknownArgumentWithItsUsage() throws Exception {
        Run r = run(List.of("bash", SCRIPT.toString(), "--mirror"));
        assertEquals(new Run(1, "",
                "install-deps: error: unknown argument '--mirror'; usage: install-deps [--print-mirror]"), r);
    }
}
