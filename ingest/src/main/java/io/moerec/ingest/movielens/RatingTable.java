package io.moerec.ingest.movielens;

import java.util.Arrays;

/**
 * The valid ratings of one file in parallel primitive arrays (about 36 bytes a rating while
 * sorting), sorted through an index array. A list of boxed objects would cost several times the
 * memory and most of the load time at ml-1m's million ratings.
 */
final class RatingTable {

    private long[] timeMs;
    private int[] user;
    private int[] movie;
    private double[] rating;
    private int[] line;
    private int size;
    private int[] order;

    RatingTable(int expected) {
        int cap = Math.max(16, expected);
        timeMs = new long[cap];
        user = new int[cap];
        movie = new int[cap];
        rating = new double[cap];
        line = new int[cap];
    }

    void add(int userId, int movieId, double stars, long eventTimeMs, long lineNumber) {
        if (size == timeMs.length) {
            int cap = size + (size >> 1) + 16;
            timeMs = Arrays.copyOf(timeMs, cap);
            user = Arrays.copyOf(user, cap);
            movie = Arrays.copyOf(movie, cap);
            rating = Arrays.copyOf(rating, cap);
            line = Arrays.copyOf(line, cap);
        }
        timeMs[size] = eventTimeMs;
        user[size] = userId;
        movie[size] = movieId;
        rating[size] = stars;
        // Line numbers above 2^31 would need a 100 GB file; saturate rather than wrap.
        line[size] = (int) Math.min(lineNumber, Integer.MAX_VALUE);
        size++;
    }

    int size() {
        return size;
    }

    /**
     * Sorts by (event time, user id, movie id) and keeps file order among equal keys: a stable
     * bottom-up merge sort over int indices, O(n log n) without boxing.
     */
    void sort() {
        int n = size;
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        int[] b = new int[n];
        final int run = 32;
        for (int lo = 0; lo < n; lo += run) {
            insertionSort(a, lo, Math.min(lo + run, n));
        }
        for (int width = run; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = Math.min(lo + width, n);
                int hi = Math.min(lo + 2 * width, n);
                merge(a, b, lo, mid, hi);
            }
            int[] t = a;
            a = b;
            b = t;
        }
        order = a;
    }

    private void insertionSort(int[] a, int lo, int hi) {
        for (int i = lo + 1; i < hi; i++) {
            int x = a[i];
            int j = i - 1;
            while (j >= lo && compare(a[j], x) > 0) {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = x;
        }
    }

    private void merge(int[] src, int[] dst, int lo, int mid, int hi) {
        int i = lo;
        int j = mid;
        int k = lo;
        while (i < mid && j < hi) {
            // "<= 0" takes from the left run on ties: that is what makes the sort stable.
            dst[k++] = compare(src[i], src[j]) <= 0 ? src[i++] : src[j++];
        }
        while (i < mid) {
            dst[k++] = src[i++];
        }
        while (j < hi) {
            dst[k++] = src[j++];
        }
    }

    /** Compares rows by event time, then user id, then movie id (numerically). */
    int compare(int x, int y) {
        int c = Long.compare(timeMs[x], timeMs[y]);
        if (c != 0) {
            return c;
        }
        c = Integer.compare(user[x], user[y]);
        return c != 0 ? c : Integer.compare(movie[x], movie[y]);
    }

    /** The row at sorted position {@code k}; valid after {@link #sort()}. */
    int row(int k) {
        return order[k];
    }

    long timeMs(int row) {
        return timeMs[row];
    }

    int user(int row) {
        return user[row];
    }

    int movie(int row) {
        return movie[row];
    }

    double rating(int row) {
        return rating[row];
    }

    long line(int row) {
        return line[row];
    }
}
