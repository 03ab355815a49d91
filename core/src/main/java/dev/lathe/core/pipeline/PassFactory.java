package dev.lathe.core.pipeline;

import java.util.Map;

/**
 * Creates passes by name; implementations are found with {@link java.util.ServiceLoader} (list them in
 * {@code META-INF/services/dev.lathe.core.pipeline.PassFactory}), so the command line and pipeline files
 * can name any pass on the class path.
 */
public interface PassFactory {

    /** The pass name, such as {@code cleanup}; unique across the class path. */
    String name();

    /** The pass's options, each declared once ({@link PassOption}), from which its help text follows. */
    PassOptionSet options();

    /** What the pass does and its options (key, valid values, default, description), for help texts. */
    default String description() {
        return options().description();
    }

    /**
     * A pass configured with these options, read through {@link #options()}; its {@link Pass#options()} returns
     * them as given, in the given order.
     *
     * @throws IllegalArgumentException naming the option and the valid values when an option is unknown or
     *                                  malformed
     */
    Pass create(Map<String, String> options);
}
