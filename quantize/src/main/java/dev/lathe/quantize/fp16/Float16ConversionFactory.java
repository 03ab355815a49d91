package dev.lathe.quantize.fp16;

import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassFactory;
import dev.lathe.core.pipeline.PassOptions;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Registers {@link Float16Conversion} as {@code quantize.fp16}. Options: {@code keep-io-types=true|false}
 * (default true), {@code target=cpu|gpu} (default cpu), {@code block=Op1+Op2} (operator types kept in
 * float32 besides the defaults), {@code exclude=node1+node2} (node names kept in float32).
 */
public final class Float16ConversionFactory implements PassFactory {

    @Override
    public String name() {
        return Float16Conversion.NAME;
    }

    @Override
    public String description() {
        return "converts float32 weights and computation to float16, with Casts where float32 nodes remain "
                + "(options keep-io-types=true|false, target=cpu|gpu, block=Op1+Op2, exclude=node1+node2)";
    }

    @Override
    public Pass create(Map<String, String> options) {
        PassOptions read = PassOptions.of(name(), options, Set.of("keep-io-types", "target", "compute", "block", "exclude"));
        Float16Conversion.Target target = Float16Conversion.Target.valueOf(
                read.getChoice("target", "cpu", "cpu", "gpu").toUpperCase(Locale.ROOT));
        Float16Conversion.Compute compute = read.getChoice("compute", "fp16", "fp16", "fp32").equals("fp16")
                ? Float16Conversion.Compute.FLOAT16 : Float16Conversion.Compute.FLOAT32;
        return new Float16Conversion(new Float16Conversion.Settings(read.getBoolean("keep-io-types", true), target, compute,
                read.getList("block", Set.of()), read.getList("exclude", Set.of())));
    }
}
