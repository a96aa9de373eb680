package io.reelrank.http;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The parameter rules: ranges, the 400 messages that name parameter, range and value, and the query string. */
@Tag("unit")
class ParamRulesTest {

    private static final ParamRules.IntRange LIMIT = new ParamRules.IntRange(1, 1000);

    @Test
    void anIntegerRangeAllowsItsBoundsAndNothingBeyond() {
        assertTrue(LIMIT.allows(1) && LIMIT.allows(1000));
        assertFalse(LIMIT.allows(0) || LIMIT.allows(1001));
        assertFalse(ParamRules.IntRange.atLeast(1).allows(99_999_999_999L), "beyond an int is out of range");
    }

    @Test
    void anIntegerOutsideItsRangeIsRefusedNamingParameterRangeAndValue() {
        assertEquals("parameter 'limit' must be an integer in 1-1000, got 1001", LIMIT.refusal("limit", "1001"));
        assertEquals("parameter 'limit' must be an integer in 1-1000, got 0", LIMIT.refusal("limit", " 0 "));
        assertEquals("parameter 'user' must be an integer 1 or more, got 99999999999",
                ParamRules.IntRange.atLeast(1).refusal("user", "99999999999"));
    }

    @Test
    void textThatIsNoIntegerIsQuotedInTheRefusal() {
        assertEquals("parameter 'limit' must be an integer in 1-1000, got 'ten'", LIMIT.refusal("limit", "ten"));
        assertEquals("parameter 'id' must be an integer 1 or more, got '4.5'",
                ParamRules.IntRange.atLeast(1).refusal("id", "4.5"));
    }

    @Test
    void integersAreReadWithBlanksAroundThemIgnored() {
        assertEquals(42, ParamRules.parseInteger(" 42 "));
        assertThrows(NumberFormatException.class, () -> ParamRules.parseInteger("4 2"));
    }

    @Test
    void aNumberRangeRefusesNotANumberAndInfinity() {
        ParamRules.NumberRange alpha = new ParamRules.NumberRange(0, 1);
        assertTrue(alpha.allows(0) && alpha.allows(0.5) && alpha.allows(1));
        assertFalse(alpha.allows(Double.NaN) || alpha.allows(Double.POSITIVE_INFINITY) || alpha.allows(-0.01));
        assertEquals("parameter 'alpha' must be a number in 0-1, got 'NaN'", alpha.refusal("alpha", "NaN"));
        assertEquals("parameter 'min_avg_rating' must be a number in 0-5, got 'Infinity'",
                new ParamRules.NumberRange(0, 5).refusal("min_avg_rating", "Infinity"));
        assertEquals("parameter 'x' must be a number in 0.5-2.5, got '3'",
                new ParamRules.NumberRange(0.5, 2.5).refusal("x", "3"));
    }

    @Test
    void aParameterGivenTwiceIsRefusedAndAnAbsentOneIsNull() {
        assertNull(ParamRules.single("limit", List.of()));
        assertEquals("5", ParamRules.single("limit", List.of("5")));
        ApiError e = assertThrows(ApiError.class, () -> ParamRules.single("limit", List.of("5", "6")));
        assertEquals(400, e.status);
        assertEquals("parameter 'limit' must be given at most once, got 2 values", e.detail());
    }

    @Test
    void anUnknownParameterIsRefusedListingTheKnownOnes() {
        assertDoesNotThrow(() -> ParamRules.onlyKnown(Set.of("q"), Set.of("q", "limit")));
        ApiError e = assertThrows(ApiError.class, () -> ParamRules.onlyKnown(Set.of("limt"), Set.of("q", "limit")));
        assertEquals("unknown parameter 'limt'; allowed: limit, q", e.detail());
    }

    @Test
    void malformedPercentEncodingIsRefusedNamingWhereItIs() {
        assertDoesNotThrow(() -> ParamRules.wellEncoded(null));
        assertDoesNotThrow(() -> ParamRules.wellEncoded("q=%22dark+knight%22&genre=Action&flag"));
        for (String bad : List.of("q=%zz", "q=100%", "q=%4", "%g1=x", "a=1&q=%-1")) {
            ApiError e = assertThrows(ApiError.class, () -> ParamRules.wellEncoded(bad), bad);
            assertEquals(400, e.status);
            assertTrue(e.detail().startsWith("malformed percent-encoding in the query string near '"), e.detail());
        }
        assertEquals("malformed percent-encoding in the query string near '%zz'",
                assertThrows(ApiError.class, () -> ParamRules.wellEncoded("limit=5&q=%zz")).detail());
    }
}
