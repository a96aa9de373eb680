package io.reelrank.eval;

/**
 * Stable merge sort of an {@code int[]} of indices under a comparator on those indices: sorting
 * 25M ratings by (user, time, movie) without boxing each index into an {@code Integer}.
 */
final class IntSort {

    @FunctionalInterface
    interface IntComparator {
        int compare(int a, int b);
    }

    private IntSort() {}

    static void sort(int[] a, IntComparator cmp) {
        sort(a, 0, a.length, cmp);
    }

    static void sort(int[] a, int from, int to, IntComparator cmp) {
        int n = to - from;
        if (n < 2) {
            return;
        }
        int[] src = new int[n];
        System.arraycopy(a, from, src, 0, n);
        int[] dst = new int[n];
        // Bottom-up: runs of width 1, 2, 4, … merged alternately between the two buffers.
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = Math.min(lo + width, n);
                int hi = Math.min(lo + 2 * width, n);
                int i = lo, j = mid, k = lo;
                while (i < mid && j < hi) {
                    // "<= 0" takes from the left run on ties: that is what makes the sort stable.
                    dst[k++] = cmp.compare(src[i], src[j]) <= 0 ? src[i++] : src[j++];
                }
                while (i < mid) dst[k++] = src[i++];
                while (j < hi) dst[k++] = src[j++];
            }
            int[] t = src;
            src = dst;
            dst = t;
        }
        System.arraycopy(src, 0, a, from, n);
    }
}
