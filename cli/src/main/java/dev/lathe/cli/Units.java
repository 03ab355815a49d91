package dev.lathe.cli;

import dev.lathe.core.report.Figures;
import java.util.Locale;

/**
 * Human-readable quantities for reports: counts with K/M/G/T units next to the exact figure, sizes in
 * decimal units, times, rates, ratios and money. Exact figures use comma grouping, whatever the user's locale.
 */
final class Units {
    private Units() {
    }

    /** An exact count with grouping, e.g. {@code 1,434,451,968} (as the reports write it). */
    static String exact(long count) {
        return Figures.exact(count);
    }

    /** A count in the largest fitting unit, e.g. {@code 1.43 G}; counts under 1,000 stay exact. */
    static String scaled(long count) {
        return Figures.count(count);
    }

    /** A count in units followed by the exact figure, e.g. {@code 1.43 G (1,434,451,968)}. */
    static String count(long count) {
        return Math.abs(count) < 1000 ? Long.toString(count) : scaled(count) + " (" + exact(count) + ")";
    }

    /** A size in megabytes with the exact bytes, e.g. {@code 90.39 MB (90,387,606 bytes)}. */
    static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.2f MB (%,d bytes)", bytes / 1e6, bytes);
    }

    /** A size in megabytes, e.g. {@code 90.39 MB}. */
    static String roundedMegabytes(long bytes) {
        return String.format(Locale.ROOT, "%.2f MB", bytes / 1e6);
    }

    /** A size in the largest fitting decimal unit: {@code 90.39 MB}, {@code 12.3 kB} or {@code 312 B}. */
    static String size(long bytes) {
        return Figures.bytes(bytes);
    }

    /** A fraction as a percentage with two decimals, e.g. {@code 12.50 %}. */
    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f %%", fraction * 100);
    }

    /** Milliseconds with three decimals, e.g. {@code 12.345 ms}. */
    static String millis(double millis) {
        return String.format(Locale.ROOT, "%.3f ms", millis);
    }

    /** A rate with one decimal and grouping, e.g. {@code 1,234.5 /s}. */
    static String perSecond(double rate) {
        return String.format(Locale.ROOT, "%,.1f /s", rate);
    }

    /** A measured value with six decimals, such as a cosine similarity or an error, e.g. {@code 0.999871}. */
    static String decimal(double value) {
        return String.format(Locale.ROOT, "%.6f", value);
    }

    /** An amount of money with four decimals and its currency, e.g. {@code 1.1948 USD}. */
    static String money(double amount, String currency) {
        return String.format(Locale.ROOT, "%.4f %s", amount, currency);
    }

    /** A ratio of two figures, e.g. {@code 0.52x}. */
    static String ratio(double ratio) {
        return String.format(Locale.ROOT, "%.2fx", ratio);
    }
}
