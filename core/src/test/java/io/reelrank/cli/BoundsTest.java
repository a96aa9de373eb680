package io.reelrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

/** The single-number converters: their bounds, inclusive or not, and their messages. */
@Tag("unit")
class BoundsTest {

    private static String refusal(Runnable r) {
        return assertThrows(TypeConversionException.class, r::run).getMessage();
    }

    @Test
    void wholeNumbersWithinTheirRangePassAndOthersAreRefused() {
        assertEquals(1000, new Bounds.Candidates().convert("1000"));
        assertEquals("must be in 1-1000, got 1001", refusal(() -> new Bounds.Candidates().convert("1001")));
        assertEquals("must be in 100-100000, got 99", refusal(() -> new Bounds.Resamples().convert("99")));
        assertEquals("must be >= 1, got 0", refusal(() -> new Bounds.AtLeastOne().convert("0")));
        assertEquals("must be a whole number in 1-256, got '2.5'", refusal(() -> new Bounds.Threads().convert("2.5")));
    }

    @Test
    void realNumbersRespectOpenAndClosedBoundsAndMustBeFinite() {
        assertEquals(0.2, new Bounds.Fraction().convert("0.2"));
        assertEquals("must be in (0,1), got 1.0", refusal(() -> new Bounds.Fraction().convert("1")));
        assertEquals("must be in (0,1), got 0.0", refusal(() -> new Bounds.Fraction().convert("0")));
        assertEquals(0.0, new Bounds.NonNegative().convert("0"));
        assertEquals("must be a finite number >= 0, got Infinity",
                refusal(() -> new Bounds.NonNegative().convert("Infinity")));
        assertEquals("must be a finite number > 0, got 0.0", refusal(() -> new Bounds.Positive().convert("0")));
        assertEquals("must be a finite number > 0, got 'ten'", refusal(() -> new Bounds.Positive().convert("ten")));
        assertEquals("must be a finite number > 0, got NaN", refusal(() -> new Bounds.Positive().convert("NaN")));
    }
}
