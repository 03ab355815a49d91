package dev.lathe.quantize.qdq;

import dev.lathe.core.LatheException;
import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.pipeline.ProgressListener;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Empirical bias correction: quantization shifts the mean of a convolution's output channels (rounded
 * weights, clipped and rounded inputs, errors carried from the layers before), and a shifted mean moves
 * every later layer and, in a dense map, the border of every region. Convolution by convolution in graph
 * order, the quantized model (with the corrections made so far) runs on calibration samples and each output
 * channel's bias gets the difference between the float model's mean and the quantized model's, so that
 * downstream layers see the float means again (Nagel et al., "Data-Free Quantization", empirical form).
 * One convolution at a time, because correcting a layer changes what every later layer receives. Only
 * convolutions that have a bias are corrected: a new int32 bias costs file size, and on PP-OCRv3 detection also
 * correcting its 24 convolutions without one left the map IoU unchanged (0.9366 on 100 held-out pages).
 *
 * <p>Measured with ONNX Runtime's graph optimizations off, so that exposing a convolution's output does not
 * change how it runs: its arithmetic is then Q/DQ emulated in float, which ONNX Runtime's integer kernels
 * match (PP-OCRv3 detection, 100 held-out pages: map IoU 0.9048 emulated against 0.9045 fused).
 */
final class BiasCorrection {
    /** Values one float run exposes while the reference means are taken, so memory does not grow with the model. */
    private static final int VALUES_PER_RUN = 16;

    /** Builds the quantized model of a float model (the same ranges and settings every time). */
    @FunctionalInterface
    interface Build {
        /** The quantized model of {@code floatModel}. */
        OnnxModel apply(OnnxModel floatModel) throws LatheException;
    }

    /**
     * The correction's result.
     *
     * @param model     the float model with corrected biases, to quantize with the same ranges
     * @param corrected how many convolutions' biases were corrected
     * @param largest   the largest shift of any channel's mean, relative to the largest float mean magnitude
     *                  of that convolution's channels
     * @param where     the convolution with the largest relative shift
     */
    record Outcome(OnnxModel model, int corrected, double largest, String where) {
    }

    private BiasCorrection() {
    }

    /**
     * Corrects the biases of the named convolutions of a float model (BatchNorm folded).
     *
     * @param convolutions the Conv nodes to correct, in graph order; each must have a constant weight and bias
     * @param samples      the calibration samples the means are taken over
     */
    static Outcome correct(OnnxModel floatModel, List<String> convolutions, List<Map<String, TensorData>> samples,
            Build build, ProgressListener progress, String task) throws LatheException {
        GraphEditor graph = floatModel.edit().mainGraph();
        Map<String, String> outputs = new HashMap<>();
        for (String name : convolutions) {
            outputs.put(name, graph.node(name).orElseThrow().getOutput(0));
        }
        Map<String, double[]> reference = channelMeans(floatModel, new ArrayList<>(outputs.values()), samples,
                SessionSettings.cpu());
        progress.started(task, convolutions.size());
        OnnxModel current = floatModel;
        double largest = 0;
        String where = "";
        int done = 0;
        for (String name : convolutions) {
            OnnxModel quantized = build.apply(current);
            String output = quantized.edit().mainGraph().node(name).orElseThrow().getOutput(0);
            double[] actual = channelMeans(quantized, List.of(output), samples, SessionSettings.cpu().withOptimization(false))
                    .get(output);
            double[] expected = reference.get(outputs.get(name));
            double scale = 0;
            for (double mean : expected) {
                scale = Math.max(scale, Math.abs(mean));
            }
            double[] shift = new double[expected.length];
            for (int c = 0; c < shift.length; c++) {
                shift[c] = expected[c] - actual[c];
                double relative = scale == 0 ? 0 : Math.abs(shift[c]) / scale;
                if (relative > largest) {
                    largest = relative;
                    where = name;
                }
            }
            current = withBiasShift(current, name, shift);
            progress.progressed(task, ++done, convolutions.size());
        }
        progress.finished(task);
        return new Outcome(current, convolutions.size(), largest, where);
    }

    /** The model with {@code shift} added to a Conv's constant bias. */
    private static OnnxModel withBiasShift(OnnxModel model, String conv, double[] shift) throws LatheException {
        ModelEditor editor = model.edit();
        GraphEditor graph = editor.mainGraph();
        NodeProto node = graph.node(conv).orElseThrow();
        String bias = node.getInput(2);
        float[] values = model.tensorData(graph.constant(bias).orElseThrow(() -> new IllegalArgumentException(
                conv + ": the bias " + bias + " is not a constant"))).toFloatArray();
        for (int c = 0; c < values.length; c++) {
            values[c] += (float) shift[c];
        }
        boolean own = graph.initializer(bias).isPresent() && graph.consumers(bias).size() == 1;
        String name = own ? bias : graph.uniqueName(conv + "_bias");
        graph.putInitializer(name, TensorData.ofFloats(new long[] {values.length}, values));
        if (!own) {
            graph.replaceNode(conv, node.toBuilder().setInput(2, name).build());
        }
        return editor.build();
    }

    /** Each value's mean per channel (axis 1) over every other axis and every sample. */
    private static Map<String, double[]> channelMeans(OnnxModel model, List<String> values, List<Map<String, TensorData>> samples,
            SessionSettings settings) throws LatheException {
        Map<String, double[]> sums = new HashMap<>();
        Map<String, Long> counts = new HashMap<>();
        for (int start = 0; start < values.size(); start += VALUES_PER_RUN) {
            List<String> part = values.subList(start, Math.min(values.size(), start + VALUES_PER_RUN));
            try (ModelSession session = ModelSession.open(model.exposing(part), settings)) {
                for (Map<String, TensorData> sample : samples) {
                    Map<String, TensorData> results = session.run(sample);
                    for (String value : part) {
                        TensorData tensor = results.get(value);
                        long[] shape = tensor.shape();
                        int channels = shape.length < 2 ? 1 : (int) shape[1];
                        long inner = 1;
                        for (int axis = 2; axis < shape.length; axis++) {
                            inner *= shape[axis];
                        }
                        float[] data = tensor.toFloatArray();
                        double[] sum = sums.computeIfAbsent(value, v -> new double[channels]);
                        for (int i = 0; i < data.length; i++) {
                            sum[(int) ((i / inner) % channels)] += data[i];
                        }
                        counts.merge(value, data.length / (long) channels, Long::sum);
                    }
                }
            }
        }
        Map<String, double[]> means = new HashMap<>();
        sums.forEach((value, sum) -> {
            double[] mean = sum.clone();
            for (int c = 0; c < mean.length; c++) {
                mean[c] /= counts.get(value);
            }
            means.put(value, mean);
        });
        return means;
    }
}
