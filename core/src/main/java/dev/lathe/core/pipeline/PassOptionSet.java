package dev.lathe.core.pipeline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The declared options of one pass: its name, a one-line summary and each {@link PassOption} once. From
 * them follow the reading of text options ({@link #read}, with errors that name the pass, the option and
 * what is valid) and the help text ({@link #description()}).
 */
public final class PassOptionSet {
    private final String pass;
    private final String summary;
    private final Map<String, PassOption<?>> options;

    private PassOptionSet(String pass, String summary, Map<String, PassOption<?>> options) {
        this.pass = pass;
        this.summary = summary;
        this.options = Collections.unmodifiableMap(options);
    }

    /**
     * The options of {@code pass}, in the order help texts list them.
     *
     * @param summary what the pass does, one sentence or two
     * @throws IllegalArgumentException if two options share a key
     */
    public static PassOptionSet of(String pass, String summary, List<? extends PassOption<?>> options) {
        Map<String, PassOption<?>> byKey = new LinkedHashMap<>();
        for (PassOption<?> option : options) {
            if (byKey.putIfAbsent(option.key(), option) != null) {
                throw new IllegalArgumentException("pass " + pass + " declares option " + option.key() + " twice");
            }
        }
        return new PassOptionSet(pass, summary, byKey);
    }

    /** The options of {@code pass}, in the order help texts list them. */
    public static PassOptionSet of(String pass, String summary, PassOption<?>... options) {
        return of(pass, summary, List.of(options));
    }

    /** These options followed by {@code more} (a shared group such as the node filter's). */
    public PassOptionSet with(List<? extends PassOption<?>> more) {
        List<PassOption<?>> all = new ArrayList<>(options.values());
        all.addAll(more);
        return of(pass, summary, all);
    }

    /** The pass name these options belong to. */
    public String pass() {
        return pass;
    }

    /** The declared options, in order. */
    public List<PassOption<?>> options() {
        return List.copyOf(options.values());
    }

    /** The declared option with this key. */
    public Optional<PassOption<?>> option(String key) {
        return Optional.ofNullable(options.get(key));
    }

    /**
     * The help text: the summary, then every option as {@code key=SYNTAX (default D): doc}.
     */
    public String description() {
        if (options.isEmpty()) {
            return summary;
        }
        return summary + (summary.endsWith(".") ? "" : ".") + " Options: "
                + options.values().stream().map(PassOption::describe).collect(Collectors.joining("; "));
    }

    /**
     * Reads and validates text options.
     *
     * @throws IllegalArgumentException for an unknown key (listing the valid ones) or a bad value (naming the
     *                                  pass, the option and what is valid)
     */
    public PassOptionValues read(Map<String, String> text) {
        for (String key : text.keySet()) {
            if (!options.containsKey(key)) {
                throw new IllegalArgumentException("unknown option '" + key + "' of pass " + pass + "; valid options: "
                        + String.join(", ", options.keySet().stream().sorted().toList()));
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : text.entrySet()) {
            values.put(entry.getKey(), options.get(entry.getKey()).parse(pass, entry.getValue()));
        }
        return new PassOptionValues(this, text, values);
    }

    @Override
    public String toString() {
        return pass + " " + options.keySet();
    }
}
