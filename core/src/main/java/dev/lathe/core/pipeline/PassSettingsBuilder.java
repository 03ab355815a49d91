package dev.lathe.core.pipeline;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The base of the settings builders of passes ({@code DynamicInt8Settings.builder().smoothing(0.5).build()}).
 * A builder writes each value it is given as option text, in the order given, and {@link #build()} reads that
 * text through the pass's declarations, so a built settings object equals the one read from the same text
 * options and is validated by the same rules, with the same errors.
 *
 * @param <S> the settings type
 * @param <B> the builder type itself
 */
public abstract class PassSettingsBuilder<S, B extends PassSettingsBuilder<S, B>> {
    private final Map<String, String> options = new LinkedHashMap<>();

    /** An empty builder: every option at its default. */
    protected PassSettingsBuilder() {
    }

    /** Sets a declared option to a value. */
    protected final <T> B set(PassOption<T> option, T value) {
        options.put(option.key(), option.format(value));
        return self();
    }

    /** Sets an option by key from text, as a pass specification would ({@code option("smooth", "0.5")}). */
    public final B option(String key, String value) {
        options.put(key, value);
        return self();
    }

    /** The options set so far, as text, in the order set. */
    public final Map<String, String> options() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    /**
     * The settings.
     *
     * @throws IllegalArgumentException naming the option and what is valid when a value is out of range
     */
    public abstract S build();

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }
}
