package io.reelrank.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class NumbersTest {

    @Test
    void writesWholeValuesWithoutADecimalPoint() {
        assertEquals("2", Numbers.plain(2.0));
        assertEquals("-3", Numbers.plain(-3.0));
        assertEquals("0", Numbers.plain(0.0));
        assertEquals("0", Numbers.plain(-0.0));
        assertEquals("123456789012345", Numbers.plain(123_456_789_012_345.0));
    }

    @Test
    void writesFractionsAsDoubleDoes() {
        assertEquals("0.5", Numbers.plain(0.5));
        assertEquals("0.05", Numbers.plain(0.05));
        assertEquals("-2.25", Numbers.plain(-2.25));
        assertEquals("1.0E-7", Numbers.plain(1e-7));
    }

    @Test
    void keepsDoublesFormBeyondWhatALongHoldsExactly() {
        assertEquals("1.0E15", Numbers.plain(1e15));
        assertEquals("-1.0E300", Numbers.plain(-1e300));
        assertEquals("Infinity", Numbers.plain(Double.POSITIVE_INFINITY));
        assertEquals("-Infinity", Numbers.plain(Double.NEGATIVE_INFINITY));
        assertEquals("NaN", Numbers.plain(Double.NaN));
    }
}
