package dev.lathe.quantize.fp16;

import dev.lathe.core.pipeline.PassOption;
import dev.lathe.core.pipeline.PassOptionSet;
import dev.lathe.core.pipeline.PassOptionValues;
import dev.lathe.core.pipeline.PassSettingsBuilder;
import dev.lathe.quantize.fp16.Float16Conversion.Compute;
import dev.lathe.quantize.fp16.Float16Conversion.Target;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The settings of {@link Float16Conversion} ({@code quantize.fp16}). Read them from text options with
 * {@link #from}, or build them: {@code Float16Settings.builder().target(Target.GPU).block(Set.of("Softmax")).build()}.
 *
 * @param keepIoTypes whether the main graph's float inputs and outputs stay float32 (Casts at the boundary)
 * @param target      the providers the model is meant for ({@code AUTO}: the selected provider decides)
 * @param compute     whether converted nodes compute in float16 or only the weights are stored in it ({@code AUTO}:
 *                    float16 for a GPU target, float32 for the CPU)
 * @param block       further operator types to keep in float32
 * @param exclude     names of nodes to keep in float32
 */
public record Float16Settings(boolean keepIoTypes, Target target, Compute compute, Set<String> block, Set<String> exclude) {
    private static final Pattern OP_TYPE = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
    private static final String OP_TYPES = "operator types such as Softmax+ReduceMean";

    static final PassOption<Boolean> KEEP_IO_TYPES = PassOption.bool("keep-io-types", true,
            "the main graph's float inputs and outputs stay float32, with Casts at the boundary");
    static final PassOption<Target> TARGET = PassOption.choice("target", Target.AUTO,
            "the providers the model is meant for; cpu keeps operators without a CPU float16 kernel in float32; auto "
                    + "follows the selected provider (gpu for cuda, tensorrt, rocm, directml)");
    static final PassOption<String> COMPUTE = PassOption.choice("compute", "auto",
            "fp16: converted nodes compute in float16; fp32: only weights are stored in float16; auto: fp16 for a gpu "
                    + "target, fp32 for cpu", "auto", "fp16", "fp32");
    static final PassOption<Set<String>> BLOCK = PassOption.list("block", Set.of(),
            "further operator types kept in float32").written("Op1+Op2").requiringItems(op -> OP_TYPE.matcher(op).matches(), OP_TYPES);
    static final PassOption<Set<String>> EXCLUDE = PassOption.list("exclude", Set.of(), "names of nodes kept in float32")
            .written("node1+node2");

    /** The declared options of {@code quantize.fp16}. */
    public static final PassOptionSet OPTIONS = PassOptionSet.of(Float16Conversion.NAME,
            "converts float32 weights and computation to float16, with Casts where float32 nodes remain",
            KEEP_IO_TYPES, TARGET, COMPUTE, BLOCK, EXCLUDE);

    /** Copies the sets and checks the operator types. */
    public Float16Settings {
        block = Set.copyOf(new TreeSet<>(block));
        exclude = Set.copyOf(new TreeSet<>(exclude));
        for (String op : block) {
            if (!OP_TYPE.matcher(op).matches()) {
                throw new IllegalArgumentException("option block of pass " + Float16Conversion.NAME
                        + " must list " + OP_TYPES + ", got '" + op + "'");
            }
        }
    }

    /**
     * Reads the text options of {@code quantize.fp16}.
     *
     * @throws IllegalArgumentException naming the option and what is valid
     */
    public static Float16Settings from(Map<String, String> text) {
        PassOptionValues options = OPTIONS.read(text);
        return new Float16Settings(options.get(KEEP_IO_TYPES), options.get(TARGET),
                switch (options.get(COMPUTE)) {
                    case "fp16" -> Compute.FLOAT16;
                    case "fp32" -> Compute.FLOAT32;
                    default -> Compute.AUTO;
                }, options.get(BLOCK), options.get(EXCLUDE));
    }

    /** A builder starting from the defaults: float32 inputs and outputs, target and compute following the provider. */
    public static Builder builder() {
        return new Builder();
    }

    /** Every setting as option text, in declaration order; {@link #from} reads it back to equal settings. */
    public Map<String, String> options() {
        return builder().keepIoTypes(keepIoTypes).target(target).compute(compute).block(block).exclude(exclude).options();
    }

    /** Builds {@link Float16Settings}; what is not set keeps its default. */
    public static final class Builder extends PassSettingsBuilder<Float16Settings, Builder> {
        private Builder() {
        }

        /** Whether the main graph's float inputs and outputs stay float32 (default true). */
        public Builder keepIoTypes(boolean keepIoTypes) {
            return set(KEEP_IO_TYPES, keepIoTypes);
        }

        /** The providers the model is meant for (default {@link Target#AUTO}). */
        public Builder target(Target target) {
            return set(TARGET, target);
        }

        /** Where the arithmetic happens (default {@link Compute#AUTO}). */
        public Builder compute(Compute compute) {
            return set(COMPUTE, switch (compute) {
                case FLOAT16 -> "fp16";
                case FLOAT32 -> "fp32";
                case AUTO -> "auto";
            });
        }

        /** Further operator types to keep in float32 (default none). */
        public Builder block(Set<String> opTypes) {
            return set(BLOCK, opTypes);
        }

        /** Names of nodes to keep in float32 (default none). */
        public Builder exclude(Set<String> nodes) {
            return set(EXCLUDE, nodes);
        }

        @Override
        public Float16Settings build() {
            return from(options());
        }
    }
}
