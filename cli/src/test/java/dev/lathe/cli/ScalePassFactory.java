package dev.lathe.cli;

import dev.lathe.core.LatheException;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassFactory;
import dev.lathe.core.pipeline.PassOption;
import dev.lathe.core.pipeline.PassOptionSet;
import dev.lathe.core.pipeline.PassOptionValues;
import dev.lathe.core.pipeline.PassResult;
import java.util.Map;

/**
 * A lossy pass for tests, registered for the tests only (in the test resources' service file) as
 * {@code test.scale}: multiplies the float initializer {@code initializer} (default {@code W}) by
 * {@code factor} (default 2), so that the outputs change and a validation gate can fail.
 */
public final class ScalePassFactory implements PassFactory {
    static final String NAME = "test.scale";

    @Override
    public String name() {
        return NAME;
    }

    private static final PassOption<String> INITIALIZER = PassOption.text("initializer", "W", "the float initializer scaled");
    private static final PassOption<Double> FACTOR = PassOption.number("factor", 2, -1e6, 1e6, "what it is multiplied by");
    private static final PassOptionSet OPTIONS = PassOptionSet.of(NAME, "multiplies a float initializer by a factor",
            INITIALIZER, FACTOR);

    @Override
    public PassOptionSet options() {
        return OPTIONS;
    }

    @Override
    public Pass create(Map<String, String> options) {
        PassOptionValues values = OPTIONS.read(options);
        return new Scale(values.get(INITIALIZER), values.get(FACTOR).floatValue(),
                java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(options)));
    }

    /** The pass itself. */
    private record Scale(String initializer, float factor, Map<String, String> options) implements Pass {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public PassResult apply(OnnxModel model, PassContext context) throws LatheException {
            TensorProto tensor = model.graph().initializer(initializer).orElseThrow(
                    () -> new IllegalArgumentException(model.source() + " has no initializer " + initializer));
            TensorData data = model.tensorData(tensor);
            float[] values = data.toFloatArray();
            for (int i = 0; i < values.length; i++) {
                values[i] *= factor;
            }
            return new PassResult(model.edit().putInitializer(initializer, TensorData.ofFloats(data.shape(), values))
                    .build(), Map.of("scaled", initializer));
        }
    }
}
