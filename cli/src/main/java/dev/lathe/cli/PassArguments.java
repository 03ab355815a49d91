package dev.lathe.cli;

import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The passes named on the command line: {@code --pass SPEC} names any registered pass by its
 * {@link PassRegistry} specification ({@code name[:key=value,...]}), and two shorthands name the
 * quantization and pruning passes:
 * <ul>
 *   <li>{@code --quantize MODE[:OPTIONS]} is the pass {@code quantize.MODE[:OPTIONS]}, e.g.
 *       {@code int4:block=32,sym} is {@code quantize.int4:block=32,sym};</li>
 *   <li>{@code --prune METHOD[:OPTIONS]} is the pass {@code prune.METHOD[:OPTIONS]}, where an option that
 *       is a bare number is the sparsity: {@code magnitude:0.5} is {@code prune.magnitude:sparsity=0.5};
 *       an N:M pattern such as {@code 2:4[,OPTIONS]} is {@code prune.nm:n=2,m=4[,OPTIONS]}.</li>
 * </ul>
 * The converters create each pass through the registry, so that an unknown pass or option is a usage
 * error with the registry's message, which lists the available passes.
 */
final class PassArguments {
    private static final Pattern NUMBER = Pattern.compile("[-+]?[0-9]*\\.?[0-9]+([eE][-+]?[0-9]+)?");
    private static final Pattern N_OF_M = Pattern.compile("([0-9]+):([0-9]+)(,.*)?");

    private PassArguments() {
    }

    /** The pass specification of {@code --quantize MODE[:OPTIONS]}: {@code quantize.MODE[:OPTIONS]}. */
    static String quantizeSpec(String mode) {
        return "quantize." + mode.strip();
    }

    /** The pass specification of {@code --prune METHOD[:OPTIONS]} (see the class comment). */
    static String pruneSpec(String spec) {
        String text = spec.strip();
        Matcher pattern = N_OF_M.matcher(text);
        if (pattern.matches()) {
            return "prune.nm:n=" + pattern.group(1) + ",m=" + pattern.group(2)
                    + (pattern.group(3) == null ? "" : pattern.group(3));
        }
        int colon = text.indexOf(':');
        if (colon < 0 || text.substring(colon + 1).isBlank()) {
            return "prune." + (colon < 0 ? text : text.substring(0, colon));
        }
        List<String> options = new ArrayList<>();
        for (String option : text.substring(colon + 1).split(",")) {
            options.add(NUMBER.matcher(option.strip()).matches() ? "sparsity=" + option.strip() : option);
        }
        return "prune." + text.substring(0, colon) + ":" + String.join(",", options);
    }

    private static Pass create(String spec) {
        try {
            return PassRegistry.load().create(spec);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /** Parses {@code --pass SPEC} into a pass from the registry. */
    static final class PassConverter implements ITypeConverter<Pass> {
        @Override
        public Pass convert(String value) {
            return create(value);
        }
    }

    /** Parses {@code --quantize MODE[:OPTIONS]} into the pass {@code quantize.MODE}. */
    static final class QuantizeConverter implements ITypeConverter<Pass> {
        @Override
        public Pass convert(String value) {
            return create(quantizeSpec(value));
        }
    }

    /** Parses {@code --prune METHOD[:OPTIONS]} into the pass {@code prune.METHOD}. */
    static final class PruneConverter implements ITypeConverter<Pass> {
        @Override
        public Pass convert(String value) {
            return create(pruneSpec(value));
        }
    }
}
