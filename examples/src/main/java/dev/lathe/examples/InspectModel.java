package dev.lathe.examples;

import dev.lathe.core.LatheException;
import dev.lathe.core.footprint.Footprint;
import dev.lathe.core.footprint.FootprintAnalyzer;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.OnnxModel;
import java.nio.file.Path;

/**
 * The Java quick start: loads an ONNX model and prints its static footprint. Arguments: the model file,
 * then sizes for its symbolic input dimensions as {@code NAME=VALUE}, for example
 * {@code model.onnx batch_size=1 sequence_length=128}.
 */
public final class InspectModel {

    private InspectModel() {
    }

    /**
     * Prints the parameters and MACs of the model named by {@code args[0]}, with the dimension sizes given by
     * the other arguments.
     *
     * @throws LatheException if the model cannot be read or analyzed
     */
    public static void main(String[] args) throws LatheException {
        if (args.length == 0) {
            System.err.println("usage: InspectModel MODEL [DIMENSION=VALUE]...");
            System.exit(2);
        }
        OnnxModel model = OnnxModel.load(Path.of(args[0]));
        ShapeBinding binding = ShapeBinding.none();
        for (int i = 1; i < args.length; i++) {
            String[] dimension = args[i].split("=", 2);
            if (dimension.length != 2) {
                throw new IllegalArgumentException("expected DIMENSION=VALUE, got '" + args[i] + "'");
            }
            binding = binding.withDimension(dimension[0], Long.parseLong(dimension[1]));
        }

        Footprint footprint = FootprintAnalyzer.analyze(model, binding);

        System.out.printf("%s: %,d parameters, %,d MACs%n", args[0], footprint.parameters(), footprint.macs());
        footprint.macsByOpType().forEach((op, macs) -> System.out.printf("  %-12s %,16d MACs%n", op, macs));
    }
}
