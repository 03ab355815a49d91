package dev.lathe.core.pipeline;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Text options read against their declarations ({@link PassOptionSet#read}): every given value parsed and
 * validated, the others at their defaults.
 */
public final class PassOptionValues {
    private final PassOptionSet declared;
    private final Map<String, String> given;
    private final Map<String, Object> values;

    PassOptionValues(PassOptionSet declared, Map<String, String> given, Map<String, Object> values) {
        this.declared = declared;
        this.given = Collections.unmodifiableMap(new LinkedHashMap<>(given));
        this.values = values;
    }

    /**
     * The value of an option: as given, or its declared default.
     *
     * @throws IllegalStateException if the option is not declared, or has no fixed default and was not given
     */
    @SuppressWarnings("unchecked")
    public <T> T get(PassOption<T> option) {
        PassOption<T> own = declaredAs(option);
        if (values.containsKey(option.key())) {
            return (T) values.get(option.key());
        }
        if (own.defaultValue() == null) {
            throw new IllegalStateException("option " + option.key() + " of pass " + declared.pass()
                    + " has no fixed default; use find");
        }
        return own.defaultValue();
    }

    /** The value of an option if it was given. */
    @SuppressWarnings("unchecked")
    public <T> Optional<T> find(PassOption<T> option) {
        declaredAs(option);
        return Optional.ofNullable((T) values.get(option.key()));
    }

    /** Whether an option was given. */
    public boolean has(PassOption<?> option) {
        return values.containsKey(declaredAs(option).key());
    }

    /** The options as given, in the given order. */
    public Map<String, String> given() {
        return given;
    }

    /** The pass these options belong to. */
    public String pass() {
        return declared.pass();
    }

    /**
     * The error for a value that its declaration allows but other options do not: {@code option KEY of pass
     * PASS must be EXPECTED, got 'TEXT'}.
     */
    public IllegalArgumentException invalid(PassOption<?> option, String expected) {
        return option.invalid(declared.pass(), expected, given.getOrDefault(option.key(), option.defaultText()));
    }

    @SuppressWarnings("unchecked")
    private <T> PassOption<T> declaredAs(PassOption<T> option) {
        return (PassOption<T>) declared.option(option.key()).orElseThrow(() -> new IllegalStateException(
                "pass " + declared.pass() + " does not declare option " + option.key()));
    }
}
