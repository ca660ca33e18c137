package dev.hiringkit.bench;

import java.util.Arrays;
import java.util.concurrent.Callable;

/** Timing a call and taking the median of the times: what every benchmark reports. */
final class Timings {

    private Timings() {
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Milliseconds one call takes. */
    static double millis(Callable<?> work) throws Exception {
        long start = System.nanoTime();
        work.call();
        return (System.nanoTime() - start) / 1e6;
    }
}
