package dev.lathe.core.pipeline;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One option of a pass, declared once: its key, type, default, a one-line description and what values are
 * valid. Parsing, validation, the help text ({@link PassOptionSet#description()}) and the text a settings
 * builder writes all follow from the declaration, in the manner of Olive's {@code PassConfigParam}.
 *
 * <pre>
 * static final PassOption&lt;Double&gt; SMOOTH = PassOption.number("smooth", 0.7, 0, 1, "SmoothQuant alpha; 0 = off");
 * </pre>
 *
 * <p>Values are written as text: booleans as {@code true/false} (also yes/no, on/off, 1/0; a key given alone
 * means true), integers and numbers within a closed range, one word of a fixed set (case-insensitive), any
 * non-empty text, or a list with {@code +} between items ({@code ops=MatMul+Gemm}), since commas separate options.
 *
 * @param <T> the type of the parsed value
 */
public final class PassOption<T> {
    private final String key;
    private final String syntax;
    private final String valid;
    private final T defaultValue;
    private final String defaultText;
    private final String doc;
    private final Function<String, T> parser;
    private final Function<T, String> formatter;
    private final Predicate<T> check;

    private PassOption(String key, String syntax, String valid, T defaultValue, String defaultText, String doc,
            Function<String, T> parser, Function<T, String> formatter, Predicate<T> check) {
        if (!key.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("option keys are lower-case words joined by '-', got '" + key + "'");
        }
        this.key = key;
        this.syntax = syntax;
        this.valid = valid;
        this.defaultValue = defaultValue;
        this.defaultText = defaultText;
        this.doc = Objects.requireNonNull(doc);
        this.parser = parser;
        this.formatter = formatter;
        this.check = check;
    }

    /** A boolean: {@code true/false}, {@code yes/no}, {@code on/off}, {@code 1/0}; a key given alone means true. */
    public static PassOption<Boolean> bool(String key, boolean defaultValue, String doc) {
        return new PassOption<>(key, "true|false", "true or false", defaultValue, Boolean.toString(defaultValue), doc,
                text -> switch (text.toLowerCase(Locale.ROOT)) {
                    case "true", "yes", "on", "1" -> true;
                    case "false", "no", "off", "0" -> false;
                    default -> null;
                }, value -> Boolean.toString(value), value -> true);
    }

    /** An integer from {@code min} to {@code max}, both included. */
    public static PassOption<Long> integer(String key, long defaultValue, long min, long max, String doc) {
        return new PassOption<>(key, max == Long.MAX_VALUE ? "N" : min + ".." + max, "an integer from " + min + " to " + max,
                defaultValue, Long.toString(defaultValue), doc, text -> {
                    try {
                        return Long.parseLong(text);
                    } catch (NumberFormatException e) {
                        return null;
                    }
                }, value -> Long.toString(value), value -> value >= min && value <= max);
    }

    /** A number from {@code min} to {@code max}, both included. */
    public static PassOption<Double> number(String key, double defaultValue, double min, double max, String doc) {
        return new PassOption<>(key, plain(min) + ".." + plain(max), "a number from " + min + " to " + max, defaultValue,
                Double.toString(defaultValue), doc, text -> {
                    try {
                        return Double.parseDouble(text);
                    } catch (NumberFormatException e) {
                        return null;
                    }
                }, value -> Double.toString(value), value -> value >= min && value <= max);
    }

    /** One of a fixed set of words, compared case-insensitively and returned as listed. */
    public static PassOption<String> choice(String key, String defaultValue, String doc, String... choices) {
        List<String> words = List.of(choices);
        if (!words.contains(defaultValue)) {
            throw new IllegalArgumentException("default '" + defaultValue + "' of option " + key + " is not among " + words);
        }
        return new PassOption<>(key, String.join("|", words), "one of " + String.join(", ", words), defaultValue,
                defaultValue, doc, text -> words.stream().filter(text::equalsIgnoreCase).findFirst().orElse(null),
                Function.identity(), words::contains);
    }

    /** One constant of an enum, written in lower case (compared case-insensitively), in declaration order. */
    public static <E extends Enum<E>> PassOption<E> choice(String key, E defaultValue, String doc) {
        E[] constants = defaultValue.getDeclaringClass().getEnumConstants();
        List<String> words = Arrays.stream(constants).map(PassOption::word).toList();
        return new PassOption<>(key, String.join("|", words), "one of " + String.join(", ", words), defaultValue,
                word(defaultValue), doc, text -> Arrays.stream(constants).filter(c -> word(c).equalsIgnoreCase(text))
                        .findFirst().orElse(null), PassOption::word, value -> true);
    }

    /** A non-empty word or name, taken as written (a node or tensor name, say). */
    public static PassOption<String> text(String key, String defaultValue, String doc) {
        return new PassOption<>(key, "TEXT", "a non-empty text", defaultValue, defaultValue, doc,
                text -> text.isEmpty() ? null : text, Function.identity(), value -> !value.isEmpty());
    }

    /**
     * A list of words with {@code +} between them (blanks trimmed, empty items dropped); parsed in the given
     * order, written sorted.
     */
    public static PassOption<Set<String>> list(String key, Set<String> defaultValue, String doc) {
        return new PassOption<>(key, "A+B", "a +-separated list", Set.copyOf(defaultValue), listText(defaultValue), doc,
                text -> new LinkedHashSet<>(Arrays.stream(text.split("\\+")).map(String::trim).filter(s -> !s.isEmpty()).toList()),
                PassOption::listText, value -> true);
    }

    /**
     * This option with a further condition on its values, described by {@code valid} in errors and help
     * ("a power of two from 16 to 256").
     */
    public PassOption<T> requiring(Predicate<T> condition, String valid) {
        requireValidDefault(condition);
        return new PassOption<>(key, syntax, valid, defaultValue, defaultText, doc, parser, formatter, check.and(condition));
    }

    /**
     * This list option with a condition on every item, described by {@code valid} in errors and help; the
     * error quotes the first item that fails.
     */
    public PassOption<T> requiringItems(Predicate<String> item, String valid) {
        @SuppressWarnings("unchecked")
        Predicate<T> all = value -> ((Set<String>) value).stream().allMatch(item);
        requireValidDefault(all);
        return new PassOption<>(key, syntax, valid, defaultValue, defaultText, doc, parser, formatter, check.and(all));
    }

    /**
     * This option without a fixed default: the settings work it out from other options, and
     * {@code description} says how ("layer; output with importance=wanda").
     */
    public PassOption<T> defaultDescribed(String description) {
        return new PassOption<>(key, syntax, valid, null, description, doc, parser, formatter, check);
    }

    /** This option with a different syntax in the help text, such as {@code Op1+Op2}. */
    public PassOption<T> written(String syntax) {
        return new PassOption<>(key, syntax, valid, defaultValue, defaultText, doc, parser, formatter, check);
    }

    private void requireValidDefault(Predicate<T> condition) {
        if (defaultValue != null && !condition.test(defaultValue)) {
            throw new IllegalArgumentException("default " + defaultText + " of option " + key + " is not valid");
        }
    }

    /** The key, such as {@code per-channel}. */
    public String key() {
        return key;
    }

    /** The default, or null when the settings work it out from other options. */
    public T defaultValue() {
        return defaultValue;
    }

    /** The default as help texts show it. */
    public String defaultText() {
        return defaultText;
    }

    /** The one-line description. */
    public String doc() {
        return doc;
    }

    /** What values are valid, as errors say it ("an integer from 0 to 4", "one of cpu, gpu"). */
    public String valid() {
        return valid;
    }

    /** The help text of this option: {@code key=SYNTAX (default D): doc}. */
    public String describe() {
        return key + "=" + syntax + " (default " + noneIfEmpty(defaultText) + "): " + doc;
    }

    /** A value as option text, which {@link #parse} reads back to an equal value. */
    public String format(T value) {
        return formatter.apply(Objects.requireNonNull(value, key));
    }

    /**
     * Parses and validates an option's text.
     *
     * @throws IllegalArgumentException {@code option KEY of pass PASS must be VALID, got 'TEXT'}
     */
    public T parse(String pass, String text) {
        T value = parser.apply(text.trim());
        if (value == null || !check.test(value)) {
            if (value instanceof Set<?> items) {
                // name the first item that fails, not the whole list
                for (Object item : items) {
                    T single = parser.apply(item.toString());
                    if (!check.test(single)) {
                        throw invalid(pass, valid, item.toString());
                    }
                }
            }
            throw invalid(pass, valid, text);
        }
        return value;
    }

    /** The error for a bad value: {@code option KEY of pass PASS must be VALID, got 'TEXT'}. */
    public IllegalArgumentException invalid(String pass, String expected, String text) {
        return new IllegalArgumentException("option " + key + " of pass " + pass + " must be " + expected + ", got '" + text + "'");
    }

    @Override
    public String toString() {
        return describe();
    }

    private static String word(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }

    private static String listText(Set<String> items) {
        return String.join("+", new TreeSet<>(items));
    }

    private static String plain(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }

    private static String noneIfEmpty(String text) {
        return text.isEmpty() ? "none" : text;
    }
}
