package dev.lathe.cli;

import dev.lathe.core.LatheException;
import dev.lathe.core.footprint.Footprint;
import dev.lathe.core.footprint.FootprintAnalyzer;
import dev.lathe.core.model.OnnxModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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

    @Mixin
    private ShapeOptions shapes;

    @Option(names = "--json", description = "Print a JSON object instead of a table.")
    private boolean json;

    @Override
    public Integer call() throws LatheException, IOException {
        OnnxModel loaded = OnnxModel.load(model);
        Footprint footprint = FootprintAnalyzer.analyze(loaded, shapes.binding());
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
}
