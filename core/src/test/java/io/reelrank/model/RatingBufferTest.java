package io.reelrank.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class RatingBufferTest {

    @Test
    void growsPastItsCapacityKeepingEveryRatingInOrder() {
        RatingBuffer b = new RatingBuffer(2);
        for (int i = 1; i <= 5; i++) b.add(i * 10, i * 0.5f);
        assertEquals(5, b.size());
        RatingHistory h = b.history();
        assertArrayEquals(new int[] {10, 20, 30, 40, 50}, h.movies());
        assertArrayEquals(new float[] {0.5f, 1f, 1.5f, 2f, 2.5f}, h.ratings());
    }

    @Test
    void clearStartsTheNextUserWithoutTouchingAHistoryAlreadyTaken() {
        RatingBuffer b = new RatingBuffer(4);
        b.add(1, 4f);
        RatingHistory first = b.history();
        b.clear();
        b.add(2, 3f);
        assertEquals(1, b.size());
        assertEquals(2, b.movies()[0]);
        assertArrayEquals(new int[] {1}, first.movies());
    }
}
