package dev.lathe.core.cleanup;

import dev.lathe.core.pipeline.PassOption;
import dev.lathe.core.pipeline.PassOptionSet;
import dev.lathe.core.pipeline.PassSettingsBuilder;
import java.util.Map;

/**
 * The settings of {@link GraphCleanup} ({@code cleanup}).
 *
 * @param fold      whether to fold constants (dead-node and Identity removal always run)
 * @param hardSwish whether to rewrite exported hard-swish chains as {@code x · HardSigmoid(x)}
 *                  ({@link HardSwishRewrite})
 */
public record GraphCleanupSettings(boolean fold, boolean hardSwish) {
    /** The registered pass name. */
    public static final String PASS = "cleanup";

    static final PassOption<Boolean> FOLD = PassOption.bool("fold", true, "evaluate nodes whose inputs are all constants once");
    static final PassOption<Boolean> HARD_SWISH = PassOption.bool("hard-swish", true,
            "rewrite the exported hard-swish x * clip(x + 3, 0, 6) / 6 as x * HardSigmoid(x), the same function in two "
                    + "nodes that ONNX Runtime runs faster");

    /** The declared options of {@code cleanup}. */
    public static final PassOptionSet OPTIONS = PassOptionSet.of(PASS,
            "removes unused nodes, bypasses Identity nodes, folds constants and rewrites exported hard-swish chains", FOLD,
            HARD_SWISH);

    /**
     * Reads text options.
     *
     * @throws IllegalArgumentException naming the option and what is valid
     */
    public static GraphCleanupSettings from(Map<String, String> options) {
        var values = OPTIONS.read(options);
        return new GraphCleanupSettings(values.get(FOLD), values.get(HARD_SWISH));
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Every setting as option text, in declaration order; {@link #from} reads it back to equal settings. */
    public Map<String, String> options() {
        return builder().fold(fold).hardSwish(hardSwish).options();
    }

    /** Builds {@link GraphCleanupSettings}. */
    public static final class Builder extends PassSettingsBuilder<GraphCleanupSettings, Builder> {
        private Builder() {
        }

        /** Whether to fold constants (default true). */
        public Builder fold(boolean fold) {
            return set(FOLD, fold);
        }

        /** Whether to rewrite exported hard-swish chains (default true). */
        public Builder hardSwish(boolean on) {
            return set(HARD_SWISH, on);
        }

        @Override
        public GraphCleanupSettings build() {
            return from(options());
        }
    }
}
