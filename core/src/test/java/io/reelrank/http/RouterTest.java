package io.reelrank.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Route matching: path parameters, HEAD via GET, 405 versus 404, which routes write. */
@Tag("unit")
class RouterTest {

    private final Router router = new Router()
            .get("/", c -> null)
            .get("/api/movies/{id}", c -> null)
            .get("/api/movies/{id}/similar", c -> null)
            .post("/api/users/{id}/ratings", c -> null);

    @Test
    void bindsPathParametersByName() {
        Router.Match m = router.match("GET", "/api/movies/4993/similar");
        assertEquals("/api/movies/{id}/similar", m.route().pattern());
        assertEquals(Map.of("id", "4993"), m.params());
    }

    @Test
    void headIsAnsweredByTheGetRoute() {
        assertEquals("/", router.match("HEAD", "/").route().pattern());
    }

    @Test
    void aKnownPathUnderAnotherMethodListsTheAllowedOnes() {
        Router.Match m = router.match("GET", "/api/users/7/ratings");
        assertNull(m.route());
        assertEquals(Set.of("POST"), m.allowed());
    }

    @Test
    void anUnknownPathOrAnEmptyParameterMatchesNothing() {
        assertNull(router.match("GET", "/api/movies"));
        assertNull(router.match("GET", "/api/movies/"));
        assertNull(router.match("GET", "/api/movies/1/2"));
        assertNull(router.match("GET", "/nothing"));
    }

    @Test
    void onlyPostRoutesAreWriteRoutes() {
        for (Router.Route r : router.routes()) assertEquals(r.method().equals("POST"), r.write(), r.pattern());
    }
}
