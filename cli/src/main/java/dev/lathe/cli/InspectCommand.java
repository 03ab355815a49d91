package dev.lathe.cli;

import dev.lathe.core.LatheException;
import dev.lathe.core.footprint.Footprint;
import dev.lathe.core.footprint.FootprintAnalyzer;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.OnnxModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lathe inspect MODEL}: prints the static footprint of a model file for the input shapes the user
 * binds, as a table or as JSON.
 */
@Command(name = "inspect",
        description = "Print the static footprint of an ONNX model: size, parameters, ops, MACs.")
final class InspectCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "The .onnx file (external data is read from its folder).")
    private Path model;

    @Option(names = "--shape", paramLabel = "NAME=D0xD1x...", converter = InputShapeArgument.Converter.class,
            description = "Full shape of an input, e.g. input_ids=1x128. Repeatable; wins over --bind.")
    private List<InputShapeArgument> shapes = new ArrayList<>();

    @Option(names = "--bind", paramLabel = "DIM=VALUE", converter = DimensionArgument.Converter.class,
            description = "Size of a symbolic input dimension, e.g. sequence_length=128. Repeatable; "
                    + "unbound dimensions are " + ShapeBinding.DEFAULT_DIMENSION + ".")
    private List<DimensionArgument> dimensions = new ArrayList<>();

    @Option(names = "--json", description = "Print a JSON object instead of a table.")
    private boolean json;

    @Override
    public Integer call() throws LatheException, IOException {
        OnnxModel loaded = OnnxModel.load(model);
        Footprint footprint = FootprintAnalyzer.analyze(loaded, binding());
        Inspection inspection = Inspection.of(model.toString(), loaded, footprint);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(FootprintJson.render(inspection));
        } else {
            out.print(FootprintTable.render(inspection));
        }
        out.flush();
        return 0;
    }

    private ShapeBinding binding() {
        ShapeBinding binding = ShapeBinding.none();
        Set<String> seen = new HashSet<>();
        for (InputShapeArgument shape : shapes) {
            if (!seen.add(shape.input())) {
                throw new ParameterException(spec.commandLine(),
                        "Invalid value for option '--shape': input '" + shape.input() + "' is given twice");
            }
            binding = binding.withInputShape(shape.input(), shape.shape());
        }
        seen.clear();
        for (DimensionArgument dimension : dimensions) {
            if (!seen.add(dimension.dimension())) {
                throw new ParameterException(spec.commandLine(),
                        "Invalid value for option '--bind': dimension '" + dimension.dimension() + "' is given twice");
            }
            binding = binding.withDimension(dimension.dimension(), dimension.value());
        }
        return binding;
    }
}
