package dev.lathe.cli;

import dev.lathe.core.LatheException;
import dev.lathe.core.conversion.ImportedModel;
import dev.lathe.core.conversion.ModelImporters;
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
        description = "Print the static footprint of an ONNX model or TensorFlow SavedModel: size, parameters, ops, MACs.")
final class InspectCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "The .onnx file (external data is read from its folder), or a "
            + "TensorFlow SavedModel directory (its footprint is counted on its own graph).")
    private Path model;

    @Mixin
    private ShapeOptions shapes;

    @Option(names = "--signature", paramLabel = "KEY", defaultValue = "",
            description = "For a TensorFlow SavedModel: the signature to inspect (default: serving_default, or the only one).")
    private String signature;

    @Option(names = "--json", description = "Print a JSON object instead of a table.")
    private boolean json;

    @Override
    public Integer call() throws LatheException, IOException {
        Inspection inspection;
        if (ModelImporters.isForeign(model)) {
            try (ImportedModel imported = ModelImporters.importerFor(model).open(model, signature)) {
                inspection = Inspection.of(model.toString(), imported, imported.footprint(shapes.binding()));
            }
        } else {
            OnnxModel loaded = OnnxModel.load(model);
            inspection = Inspection.of(model.toString(), loaded, FootprintAnalyzer.analyze(loaded, shapes.binding()));
        }
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
