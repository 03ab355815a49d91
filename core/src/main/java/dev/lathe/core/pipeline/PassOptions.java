package dev.lathe.core.pipeline;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Typed reading of a pass's text options, with errors that name the pass, the option and what is valid.
 * Unknown keys are rejected when the options are wrapped. Lists are written with {@code +} between items
 * ({@code ops=MatMul+Gemm}), since commas separate options.
 */
public final class PassOptions {
    private final String pass;
    private final Map<String, String> options;

    private PassOptions(String pass, Map<String, String> options) {
        this.pass = pass;
        this.options = options;
    }

    /**
     * Wraps the options of a pass.
     *
     * @throws IllegalArgumentException if a key is not among {@code validKeys} (listing them)
     */
    public static PassOptions of(String pass, Map<String, String> options, Set<String> validKeys) {
        for (String key : options.keySet()) {
            if (!validKeys.contains(key)) {
                throw new IllegalArgumentException("unknown option '" + key + "' of pass " + pass + "; valid options: "
                        + String.join(", ", validKeys.stream().sorted().toList()));
            }
        }
        return new PassOptions(pass, Map.copyOf(options));
    }

    /** A boolean option: true/false, yes/no, on/off, 1/0 (a key given alone means true). */
    public boolean getBoolean(String key, boolean fallback) {
        String value = options.get(key);
        if (value == null) {
            return fallback;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw invalid(key, value, "true or false");
        };
    }

    /** An integer option within [min, max]. */
    public long getLong(String key, long fallback, long min, long max) {
        String value = options.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value);
            if (parsed < min || parsed > max) {
                throw invalid(key, value, "an integer from " + min + " to " + max);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw invalid(key, value, "an integer from " + min + " to " + max);
        }
    }

    /** A number option within [min, max]. */
    public double getDouble(String key, double fallback, double min, double max) {
        String value = options.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            double parsed = Double.parseDouble(value);
            if (!(parsed >= min && parsed <= max)) {
                throw invalid(key, value, "a number from " + min + " to " + max);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw invalid(key, value, "a number from " + min + " to " + max);
        }
    }

    /** One of a fixed set of words (compared case-insensitively, returned as listed). */
    public String getChoice(String key, String fallback, String... choices) {
        String value = options.get(key);
        if (value == null) {
            return fallback;
        }
        for (String choice : choices) {
            if (choice.equalsIgnoreCase(value)) {
                return choice;
            }
        }
        throw invalid(key, value, "one of " + String.join(", ", choices));
    }

    /** A {@code +}-separated list; {@code fallback} when absent. */
    public Set<String> getList(String key, Set<String> fallback) {
        String value = options.get(key);
        if (value == null) {
            return fallback;
        }
        List<String> items = Arrays.stream(value.split("\\+")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        return new LinkedHashSet<>(items);
    }

    private IllegalArgumentException invalid(String key, String value, String expected) {
        return new IllegalArgumentException("option " + key + " of pass " + pass + " must be " + expected + ", got '" + value + "'");
    }
}
