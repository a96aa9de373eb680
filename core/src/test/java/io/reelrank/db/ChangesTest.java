package io.reelrank.db;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The payloads of the change notifications, without a database: what a listener reads back. */
@Tag("unit")
class ChangesTest {

    @Test
    void aMovieChangeReadsBackFromItsPayload() {
        Changes.MovieChange some = new Changes.MovieChange(false, new int[] {1, 2, 4993}, "host-a:/srv/index");
        Changes.MovieChange back = Changes.MovieChange.parse(some.payload());
        assertEquals(false, back.all());
        assertArrayEquals(new int[] {1, 2, 4993}, back.ids());
        assertEquals("host-a:/srv/index", back.updatedIndex());
        Changes.MovieChange all = Changes.MovieChange.parse(new Changes.MovieChange(true, new int[0], null).payload());
        assertTrue(all.all());
        assertNull(all.updatedIndex());
    }

    @Test
    void anUnreadablePayloadMeansEveryMovie() {
        assertTrue(Changes.MovieChange.parse("garbage").all());
        assertTrue(Changes.MovieChange.parse("1,x|").all());
        assertTrue(Changes.MovieChange.parse(null).all());
    }

    @Test
    void theSameIndexPathOnAnotherHostIsAnotherIndex() {
        Path dir = Path.of("var", "index");
        String here = Changes.indexIdentity(dir);
        assertEquals(Changes.host() + ":" + dir.toAbsolutePath().normalize(), here);
        // A server on another machine with the same directory path must not skip a change it did not apply.
        assertNotEquals(here, "other-host:" + dir.toAbsolutePath().normalize());
        assertEquals(here, Changes.indexIdentity(dir.toAbsolutePath().resolve("..").resolve("index")));
    }

    @Test
    void aHostNameThatDoesNotResolveFallsBackToTheEnvironmentThenToAFixedName() {
        Changes.HostLookup fails = () -> {
            throw new UnknownHostException("buildbox: Name or service not known");
        };
        assertEquals("web-7", Changes.hostName(() -> "web-7", Map.of("HOSTNAME", "ignored")));
        assertEquals("container-1f2e", Changes.hostName(fails, Map.of("HOSTNAME", "container-1f2e")));
        assertEquals("unknown-host", Changes.hostName(fails, Map.of("HOSTNAME", " ")));
        assertEquals("unknown-host", Changes.hostName(fails, Map.of()));
    }
}
