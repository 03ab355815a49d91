package dev.lathe.quantize.qdq;

import dev.lathe.core.LatheException;
import dev.lathe.core.calibration.CalibrationStatistics;
import dev.lathe.core.calibration.ChannelRequest;
import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.pipeline.ProgressListener;
import java.util.LinkedHashMap;
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
 * <p>The means are {@link CalibrationStatistics}' per-channel sums, reduced inside ONNX Runtime with its graph
 * optimizations off, so that probing a convolution's output does not change how it runs: its arithmetic is then
 * Q/DQ emulated in float, which ONNX Runtime's integer kernels match (PP-OCRv3 detection, 100 held-out pages:
 * map IoU 0.9048 emulated against 0.9045 fused).
 */
final class BiasCorrection {
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
        Map<String, ChannelRequest> outputs = new LinkedHashMap<>();
        for (String name : convolutions) {
            NodeProto node = graph.node(name).orElseThrow();
            // The output has the weight's rank, its channels on axis 1 (the weight's first dimension).
            List<Long> weight = graph.constant(node.getInput(1)).orElseThrow().getDimsList();
            outputs.put(name, new ChannelRequest(node.getOutput(0), 1 - weight.size(), weight.size(),
                    Math.toIntExact(weight.get(0)), false));
        }
        CalibrationStatistics reference = CalibrationStatistics.collect(floatModel, List.copyOf(outputs.values()),
                samples, samples.size());
        progress.started(task, convolutions.size());
        OnnxModel current = floatModel;
        double largest = 0;
        String where = "";
        int done = 0;
        for (String name : convolutions) {
            OnnxModel quantized = build.apply(current);
            ChannelRequest request = outputs.get(name);
            ChannelRequest quantizedRequest = new ChannelRequest(quantized.edit().mainGraph().node(name).orElseThrow()
                    .getOutput(0), request.axis(), request.rank(), request.channels(), false);
            double[] actual = CalibrationStatistics.collect(quantized, List.of(quantizedRequest), samples, samples.size())
                    .statistics().get(quantizedRequest.value()).means();
            double[] expected = reference.statistics().get(request.value()).means();
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
}
