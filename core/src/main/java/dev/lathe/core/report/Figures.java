package dev.lathe.core.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/**
 * Numbers as Lathe's reports and command line show them: the same figure always reads the same in
 * Markdown, HTML and the terminal.
 * Formats ignore the user's locale (a dot for decimals, commas for grouping), and negative changes carry
 * a real minus sign (U+2212).
 */
public final class Figures {
    /** Shown where a value was not measured (peak memory -1). */
    static final String NOT_MEASURED = "not measured";
    /** Shown where a value does not exist or a ratio is undefined. */
    public static final String NONE = "—";

    private static final String MINUS = "\u2212";
    private static final String[] PREFIXES = {"", " K", " M", " G", " T", " P", " E"};

    private Figures() {
    }

    /** An exact count with grouping, e.g. {@code 1,434,451,968}. */
    public static String exact(long count) {
        return String.format(Locale.ROOT, "%,d", count);
    }

    /** A count in the largest fitting unit, e.g. {@code 1.43 G} or {@code 22.57 M}; under 1,000 exact. */
    public static String count(long count) {
        double value = count;
        int prefix = 0;
        while (Math.abs(value) >= 1000 && prefix < PREFIXES.length - 1) {
            value /= 1000;
            prefix++;
        }
        return prefix == 0 ? Long.toString(count) : String.format(Locale.ROOT, "%.2f%s", value, PREFIXES[prefix]);
    }

    /**
     * A size in decimal units: {@code 90.39 MB} from a megabyte on, {@code 512.0 kB} and {@code 312 B}
     * below; {@link #NOT_MEASURED} for a negative size.
     */
    public static String bytes(long bytes) {
        if (bytes < 0) {
            return NOT_MEASURED;
        }
        if (bytes >= 1_000_000) {
            return String.format(Locale.ROOT, "%.2f MB", bytes / 1e6);
        }
        return bytes >= 1000 ? String.format(Locale.ROOT, "%.1f kB", bytes / 1e3) : bytes + " B";
    }

    /** A count in units followed by the exact figure, e.g. {@code 1.43 G (1,434,451,968)}; under 1,000 exact. */
    public static String countAndExact(long count) {
        return Math.abs(count) < 1000 ? Long.toString(count) : count(count) + " (" + exact(count) + ")";
    }

    /** A size in decimal units followed by the exact bytes, e.g. {@code 90.39 MB (90,387,606 bytes)}. */
    public static String bytesAndExact(long bytes) {
        return bytes < 1000 ? bytes(bytes) : bytes(bytes) + " (" + exact(bytes) + " bytes)";
    }

    /** Milliseconds with two decimals, e.g. {@code 23.80 ms}. */
    public static String millis(double millis) {
        return String.format(Locale.ROOT, "%.2f ms", millis);
    }

    /** Milliseconds with three decimals, for tooltips and exact figures, e.g. {@code 23.800 ms}. */
    public static String exactMillis(double millis) {
        return String.format(Locale.ROOT, "%.3f ms", millis);
    }

    /** Inferences per second with one decimal, e.g. {@code 41.5/s}. */
    public static String throughput(double perSecond) {
        return String.format(Locale.ROOT, "%.1f/s", perSecond);
    }

    /** A fraction in percent with one decimal, e.g. {@code 25.0 %} for 0.25. */
    public static String fraction(double fraction) {
        return percent(fraction * 100);
    }

    /** A value already in percent, with one decimal, e.g. {@code 55.4 %} or {@code −3.0 %}. */
    public static String percent(double percent) {
        if (Double.isNaN(percent)) {
            return NONE;
        }
        String digits = oneDecimal(percent);
        return (percent < 0 && !isZero(digits) ? MINUS : "") + digits + " %";
    }

    /** A percentage with its sign, e.g. {@code +131.8 %} or {@code −75.0 %}; {@code 0.0 %} when it rounds to zero. */
    public static String signedPercent(double percent) {
        return signed(oneDecimal(percent), percent) + " %";
    }

    /** A difference of two fractions in percentage points, e.g. {@code +25.0 pp}. */
    public static String pointChange(double beforeFraction, double afterFraction) {
        double points = (afterFraction - beforeFraction) * 100;
        return signed(oneDecimal(points), points) + " pp";
    }

    /** {@code after / before} with two decimals and a times sign, e.g. {@code 0.25×}; {@link #NONE} when before is 0. */
    public static String ratio(double before, double after) {
        return before == 0 || Double.isNaN(before) || Double.isNaN(after) ? NONE : String.format(Locale.ROOT, "%.2f×", after / before);
    }

    /** The relative change from before to after, e.g. {@code −75.0 %}; {@link #NONE} when before is 0 or either is NaN. */
    public static String change(double before, double after) {
        return before == 0 || Double.isNaN(before) || Double.isNaN(after) ? NONE : signedPercent(100 * (after - before) / before);
    }

    /** A cosine similarity with six decimals, e.g. {@code 0.998710}. */
    public static String cosine(double cosine) {
        return String.format(Locale.ROOT, "%.6f", cosine);
    }

    /**
     * A measured value (an error, a metric) to four significant digits: plain from 0.001 to a million
     * ({@code 0.0412}), scientific outside ({@code 3.150e-05}).
     */
    public static String significant(double value) {
        if (value == 0 || Double.isNaN(value) || Double.isInfinite(value)) {
            return value == 0 ? "0" : Double.toString(value);
        }
        double magnitude = Math.abs(value);
        String digits = magnitude < 1e-3 || magnitude >= 1e6 ? String.format(Locale.ROOT, "%.3e", magnitude)
                : new BigDecimal(magnitude).round(new MathContext(4)).stripTrailingZeros().toPlainString();
        return (value < 0 ? MINUS : "") + digits;
    }

    /** An amount of money with four decimals and its currency, e.g. {@code 1.1948 USD}. */
    public static String money(double amount, String currency) {
        return String.format(Locale.ROOT, "%.4f %s", amount, currency);
    }

    private static String oneDecimal(double value) {
        return String.format(Locale.ROOT, "%.1f", Math.abs(value));
    }

    private static boolean isZero(String digits) {
        return Double.parseDouble(digits) == 0;
    }

    private static String signed(String digits, double value) {
        if (isZero(digits)) {
            return digits;
        }
        return (value < 0 ? MINUS : "+") + digits;
    }
}
