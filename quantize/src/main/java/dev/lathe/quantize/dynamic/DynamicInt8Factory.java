package dev.lathe.quantize.dynamic;

import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassFactory;
import java.util.Map;

/** Registers {@link DynamicInt8Quantization} as {@code quantize.int8}. */
public final class DynamicInt8Factory implements PassFactory {

    @Override
    public String name() {
        return "quantize.int8";
    }

    @Override
    public String description() {
        return "dynamic int8: MatMul/Gemm to DynamicQuantizeMatMul, embedding tables to 8 bits per row. Options: "
                + "per-channel (true), sym (true), weight-type int8|uint8 (int8), reduce-range auto|true|false (auto: on "
                + "for x86 CPUs without VNNI, whose u8s8 kernels saturate), scale minmax|mse "
                + "(minmax), fold-bias (true), gather (true), smooth (0.7; SmoothQuant alpha, 0 = off, uses calibration inputs), "
                + "ops (MatMul+Gemm), include, exclude, min-size (1024)";
    }

    @Override
    public Pass create(Map<String, String> options) {
        return new DynamicInt8Quantization(options, DynamicInt8Settings.from(options));
    }
}
