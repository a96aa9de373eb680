package io.reelrank.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Parameter parsing: defaults, ranges and the 400 messages that name parameter, range and value. */
@Tag("unit")
class ParamsTest {

    @Test
    void anAbsentParameterGivesTheDefault() {
        assertEquals(10, Params.intIn("limit", null, 10, 1, 1000));
        assertEquals(0.85, Params.doubleIn("alpha", null, 0.85, 0, 1));
        assertNull(Params.optionalIntIn("year_from", null, 1800, 2100));
    }

    @Test
    void rejectsAnIntegerOutsideItsRangeNamingParameterRangeAndValue() {
        ApiError e = assertThrows(ApiError.class, () -> Params.intIn("limit", "1001", 10, 1, 1000));
        assertEquals(400, e.status);
        assertEquals("parameter 'limit' must be an integer in 1-1000, got 1001", e.detail());
    }

    @Test
    void rejectsAnIntegerThatOverflows() {
        ApiError e = assertThrows(ApiError.class, () -> Params.parseInt("user", "99999999999", 1, Integer.MAX_VALUE));
        assertEquals("parameter 'user' must be an integer 1 or more, got 99999999999", e.detail());
    }

    @Test
    void rejectsNotANumberAndInfinity() {
        assertEquals("parameter 'alpha' must be a number in 0-1, got 'NaN'",
                assertThrows(ApiError.class, () -> Params.parseDouble("alpha", "NaN", 0, 1)).detail());
        assertEquals("parameter 'min_avg_rating' must be a number in 0-5, got 'Infinity'",
                assertThrows(ApiError.class, () -> Params.parseDouble("min_avg_rating", "Infinity", 0, 5)).detail());
    }

    @Test
    void decodesRepeatedAndPercentEncodedQueryParameters() {
        Map<String, List<String>> q = Call.parseQuery("q=%22dark+knight%22&genre=Action&genre=Sci-Fi&flag");
        assertEquals(List.of("\"dark knight\""), q.get("q"));
        assertEquals(List.of("Action", "Sci-Fi"), q.get("genre"));
        assertEquals(List.of(""), q.get("flag"));
    }

    @Test
    void rejectsMalformedPercentEncoding() {
        assertEquals(400, assertThrows(ApiError.class, () -> Call.parseQuery("q=%zz")).status);
    }
}
