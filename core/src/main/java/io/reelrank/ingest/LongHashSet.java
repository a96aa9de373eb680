package io.reelrank.ingest;

/**
 * An open-addressing set of longs (never 0) for finding duplicate (user, movie) pairs among tens of
 * millions of ratings without boxing: 8 bytes a slot at load factor ≤ 0.5.
 */
final class LongHashSet {

    private long[] slots;
    private int size;

    LongHashSet(int capacity) {
        slots = new long[Integer.highestOneBit(Math.max(16, capacity) - 1) << 1];
    }

    /** Adds a non-zero key; returns false if it was present. */
    boolean add(long key) {
        if (size * 2 >= slots.length) grow();
        int mask = slots.length - 1;
        int i = mix(key) & mask;
        while (slots[i] != 0) {
            if (slots[i] == key) return false;
            i = (i + 1) & mask;
        }
        slots[i] = key;
        size++;
        return true;
    }

    int size() {
        return size;
    }

    private void grow() {
        long[] old = slots;
        slots = new long[old.length * 2];
        size = 0;
        for (long k : old) if (k != 0) add(k);
    }

    private static int mix(long k) {
        k *= 0x9E3779B97F4A7C15L;
        return (int) (k ^ (k >>> 32));
    }
}
