package dev.lathe.core.cleanup;

import dev.lathe.core.pipeline.PassOption;
import dev.lathe.core.pipeline.PassOptionSet;
import dev.lathe.core.pipeline.PassSettingsBuilder;
import java.util.Map;

/**
 * The settings of {@link GraphCleanup} ({@code cleanup}).
 *
 * @param fold whether to fold constants (dead-node and Identity removal always run)
 */
public record GraphCleanupSettings(boolean fold) {
    /** The registered pass name. */
    public static final String PASS = "cleanup";

    static final PassOption<Boolean> FOLD = PassOption.bool("fold", true, "evaluate nodes whose inputs are all constants once");

    /** The declared options of {@code cleanup}. */
    public static final PassOptionSet OPTIONS = PassOptionSet.of(PASS,
            "removes unused nodes, bypasses Identity nodes and folds constants", FOLD);

    /**
     * Reads text options.
     *
     * @throws IllegalArgumentException naming the option and what is valid
     */
    public static GraphCleanupSettings from(Map<String, String> options) {
        return new GraphCleanupSettings(OPTIONS.read(options).get(FOLD));
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Every setting as option text, in declaration order; {@link #from} reads it back to equal settings. */
    public Map<String, String> options() {
        return builder().fold(fold).options();
    }

    /** Builds {@link GraphCleanupSettings}. */
    public static final class Builder extends PassSettingsBuilder<GraphCleanupSettings, Builder> {
        private Builder() {
        }

        /** Whether to fold constants (default true). */
        public Builder fold(boolean fold) {
            return set(FOLD, fold);
        }

        @Override
        public GraphCleanupSettings build() {
            return from(options());
        }
    }
}
