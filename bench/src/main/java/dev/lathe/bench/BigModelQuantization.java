package dev.lathe.bench;

import dev.lathe.core.LatheException;
import dev.lathe.core.footprint.Footprint;
import dev.lathe.core.footprint.FootprintAnalyzer;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.pipeline.Optimizer;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.pipeline.ProgressListener;
import dev.lathe.core.runtime.MachineMemory;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Weight-only quantization of a model bigger than the heap, through the public API (load, {@link Optimizer},
 * save), with the heap watched: {@code java -Xmx2g -cp lathe-bench.jar dev.lathe.bench.BigModelQuantization
 * FOLDER [7b|1b|L,H,M,V] [PASS]}. It writes a {@link SyntheticDecoder} of that shape into FOLDER unless one
 * is there, quantizes it ({@code quantize.int4} by default) to FOLDER/quantized/model.onnx, prints the peak
 * heap against the JVM's limit, the sizes and times, checks the output's structure by loading it again (every
 * projection a MatMulNBits, no float weight left), and runs it in ONNX Runtime on 8 tokens when the machine
 * has the memory.
 */
public final class BigModelQuantization {
    private static final long PROGRESS_EVERY_NANOS = 10_000_000_000L;

    private BigModelQuantization() {
    }

    /** What one run measured. */
    record Outcome(long peakHeapBytes, long parameters, long inputBytes, long outputBytes, double passSeconds,
            double saveSeconds, Map<String, Integer> opTypes, int floatMatMuls) {
    }

    /** Quantizes {@code model} with {@code pass} into {@code output}, watching the heap. */
    static Outcome quantize(Path model, String pass, Path output, ProgressListener progress) throws LatheException, IOException {
        try (HeapWatch watch = HeapWatch.start()) {
            OnnxModel original = OnnxModel.load(model);
            Footprint before = FootprintAnalyzer.analyze(original, ShapeBinding.none());
            long started = System.nanoTime();
            Optimizer optimizer = Optimizer.builder().add(PassRegistry.load().create(pass)).stepFootprints(false).build();
            OnnxModel quantized = optimizer.optimize(original, new PassContext(ShapeBinding.none(), List.of(), progress)).model();
            double passSeconds = (System.nanoTime() - started) / 1e9;
            started = System.nanoTime();
            quantized.save(output);
            double saveSeconds = (System.nanoTime() - started) / 1e9;
            HeapWatch.Peak peak = watch.stop();
            OnnxModel written = OnnxModel.load(output);
            Map<String, Integer> opTypes = new TreeMap<>();
            int floatMatMuls = 0;
            for (NodeProto node : written.graph().nodes()) {
                opTypes.merge(node.getOpType(), 1, Integer::sum);
                if (node.getOpType().equals("MatMul") && written.graph().initializer(node.getInput(1)).isPresent()) {
                    floatMatMuls++;
                }
            }
            long outputBytes = FootprintAnalyzer.analyze(written, ShapeBinding.none()).sizeBytes();
            return new Outcome(peak.peakUsedBytes(), before.parameters(), before.sizeBytes(), outputBytes, passSeconds,
                    saveSeconds, opTypes, floatMatMuls);
        }
    }

    /** Runs {@code model} on 8 tokens; the logits' shape and whether all are finite, with the time taken. */
    static String run(Path model) throws LatheException {
        OnnxModel loaded = OnnxModel.load(model);
        OptionalLong available = MachineMemory.available();
        if (available.isPresent() && loaded.tensorBytes() * 2 > available.getAsLong()) {
            return String.format(Locale.ROOT, "not run: %.1f GB of weights, %.1f GB of memory available",
                    loaded.tensorBytes() / 1e9, available.getAsLong() / 1e9);
        }
        long started = System.nanoTime();
        try (ModelSession session = ModelSession.open(loaded, SessionSettings.cpu())) {
            double loadSeconds = (System.nanoTime() - started) / 1e9;
            long[] ids = {1, 15043, 29892, 920, 526, 366, 29973, 2};
            started = System.nanoTime();
            TensorData logits = session.run(Map.of("input_ids", TensorData.ofLongs(new long[] {1, 8}, ids))).get("logits");
            double runSeconds = (System.nanoTime() - started) / 1e9;
            float[] values = logits.toFloatArray();
            long finite = 0;
            for (float value : values) {
                finite += Float.isFinite(value) ? 1 : 0;
            }
            return String.format(Locale.ROOT, "ran in ONNX Runtime: session %.1f s, 8 tokens %.2f s, logits %s, %d of %d finite",
                    loadSeconds, runSeconds, java.util.Arrays.toString(logits.shape()), finite, values.length);
        }
    }

    /** {@code FOLDER [SHAPE] [PASS]}. */
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: BigModelQuantization FOLDER [7b|1b|LAYERS,HIDDEN,MLP,VOCAB] [PASS, default quantize.int4]");
            System.exit(2);
        }
        Path folder = Path.of(args[0]);
        SyntheticDecoder.Shape shape = SyntheticDecoder.Shape.parse(args.length > 1 ? args[1] : "7b");
        String pass = args.length > 2 ? args[2] : "quantize.int4";
        Path model = folder.resolve("model.onnx");
        if (!Files.exists(model)) {
            long started = System.nanoTime();
            SyntheticDecoder.write(folder, shape, 1);
            System.out.printf(Locale.ROOT, "wrote %s (%s) in %.0f s%n", model, shape, (System.nanoTime() - started) / 1e9);
        }
        Path output = folder.resolve("quantized").resolve("model.onnx");
        Outcome outcome = quantize(model, pass, output, new LineProgress());
        System.out.println("machine        " + Machine.current());
        System.out.printf(Locale.ROOT, "model          %s, %,d parameters, %.2f GB%n", shape, outcome.parameters(), outcome.inputBytes() / 1e9);
        System.out.printf(Locale.ROOT, "%-14s %.2f GB (%.3f of the original), pass %.0f s, save %.0f s%n", pass,
                outcome.outputBytes() / 1e9, (double) outcome.outputBytes() / outcome.inputBytes(), outcome.passSeconds(),
                outcome.saveSeconds());
        System.out.printf(Locale.ROOT, "peak heap      %.0f MB of the JVM's %.0f MB limit (load, footprint, pass and save)%n",
                outcome.peakHeapBytes() / 1e6, Runtime.getRuntime().maxMemory() / 1e6);
        System.out.println("output ops     " + outcome.opTypes() + ", MatMuls with a float weight left: " + outcome.floatMatMuls());
        System.out.println("output         " + run(output));
    }

    /** Prints a line per task and the count with the time left at most every ten seconds. */
    private static final class LineProgress implements ProgressListener {
        private final Map<String, Long> starts = new java.util.HashMap<>();
        private long last;

        @Override
        public void started(String task, long total) {
            starts.put(task, System.nanoTime());
            last = System.nanoTime();
            System.out.println(task + "...");
        }

        @Override
        public void progressed(String task, long done, long total) {
            long now = System.nanoTime();
            if (now - last >= PROGRESS_EVERY_NANOS && done > 0 && done < total && starts.containsKey(task)) {
                last = now;
                double left = (now - starts.get(task)) / 1e9 / done * (total - done);
                System.out.printf(Locale.ROOT, "%s %d/%d, %.0f s left%n", task, done, total, left);
            }
        }

        @Override
        public void finished(String task) {
            Long start = starts.remove(task);
            System.out.printf(Locale.ROOT, "%s done in %.1f s%n", task, start == null ? 0 : (System.nanoTime() - start) / 1e9);
        }
    }
}
