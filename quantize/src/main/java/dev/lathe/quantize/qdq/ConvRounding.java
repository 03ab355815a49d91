package dev.lathe.quantize.qdq;

import dev.lathe.core.LatheException;
import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.pipeline.ProgressListener;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.quantize.GptqHessian;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * GPTQ rounding of convolution weights for per-channel symmetric int8: instead of rounding each weight to
 * its nearest step, the steps are chosen one input tap at a time so that the convolution's output on the
 * calibration samples moves as little as possible ({@link GptqHessian}, with {@code H = PᵀP} over the im2col
 * patches P the convolution reads, one H per group). The scales stay those of round-to-nearest
 * ({@code max |w| / qmax} per output channel), and the chosen values are written back as floats that lie on
 * that grid, so the QDQ writer's own rounding reproduces them exactly.
 */
final class ConvRounding {
    /** Relative dampening of the Hessians' diagonal. */
    private static final double DAMPENING = 0.01;
    /**
     * The largest patch (inputs per group times kernel taps) a Hessian is made for: 2,048 is 32 MB of doubles and
     * a few seconds of factoring; larger ones (PP-OCRv3 recognition's 1,024-channel 3×3 convolution, 9,216) would
     * take gigabytes and minutes, and are rounded to nearest.
     */
    static final int MAX_PATCH = 2048;
    /**
     * Hessian elements (doubles) held at once, 256 MB; the convolutions of a larger model are rounded in chunks, each
     * with its own runs over the samples.
     */
    static final long HESSIAN_BUDGET = 32L << 20;
    /** Output positions whose patches enter a convolution's Hessian per sample (evenly spaced). */
    private static final int POSITIONS_PER_SAMPLE = 1024;

    /** A 1-D or 2-D convolution's geometry, 1-D as 2-D with height 1. */
    private record Geometry(String node, String input, String weight, int outChannels, int groups, int groupInputs,
            int kernelHeight, int kernelWidth, int strideY, int strideX, int padTop, int padLeft, int padBottom,
            int padRight, int dilationY, int dilationX) {
        int patch() {
            return groupInputs * kernelHeight * kernelWidth;
        }
    }

    /**
     * The result.
     *
     * @param model           the float model with rounded weights
     * @param rounded         convolutions whose weights GPTQ chose
     * @param channels        their output channels
     * @param nearestChannels of those, the channels left to round-to-nearest (see {@link #roundRow})
     * @param skipped         convolutions left to round-to-nearest, with why
     */
    record Outcome(OnnxModel model, int rounded, int channels, int nearestChannels, Map<String, String> skipped) {
    }

    private ConvRounding() {
    }

    /**
     * Rounds the weights of the named convolutions of a float model by GPTQ on calibration samples.
     *
     * @param convolutions the Conv nodes to round; those this cannot handle are named in the outcome
     * @param qmax         the largest int8 magnitude of the weights (127, or 63 with reduced range)
     * @param task         what the progress reports call this work
     */
    static Outcome round(OnnxModel floatModel, List<String> convolutions, List<Map<String, TensorData>> samples,
            int qmax, ProgressListener progress, String task) throws LatheException {
        return round(floatModel, convolutions, samples, qmax, progress, task, HESSIAN_BUDGET);
    }

    /** {@link #round} holding at most {@code hessianBudget} Hessian elements at once. */
    static Outcome round(OnnxModel floatModel, List<String> convolutions, List<Map<String, TensorData>> samples,
            int qmax, ProgressListener progress, String task, long hessianBudget) throws LatheException {
        GraphEditor graph = floatModel.edit().mainGraph();
        Map<String, String> skipped = new LinkedHashMap<>();
        List<Geometry> geometries = new ArrayList<>();
        for (String name : convolutions) {
            NodeProto node = graph.node(name).orElseThrow();
            String why = unsupported(node, graph);
            if (why != null) {
                skipped.put(name, why);
                continue;
            }
            geometries.add(geometry(node, graph));
        }
        if (geometries.isEmpty()) {
            return new Outcome(floatModel, 0, 0, 0, skipped);
        }
        Set<String> graphInputs = new LinkedHashSet<>();
        floatModel.proto().getGraph().getInputList().forEach(input -> graphInputs.add(input.getName()));
        List<List<Geometry>> chunks = chunks(geometries, hessianBudget);
        int steps = chunks.size() * samples.size();
        progress.started(task, steps);
        ModelEditor editor = floatModel.edit();
        GraphEditor edited = editor.mainGraph();
        int channels = 0;
        int nearestChannels = 0;
        int done = 0;
        for (List<Geometry> chunk : chunks) {
            List<double[][]> hessians = chunk.stream().map(g -> new double[g.groups()][g.patch() * g.patch()]).toList();
            Set<String> exposed = new LinkedHashSet<>();
            chunk.stream().map(Geometry::input).filter(input -> !graphInputs.contains(input)).forEach(exposed::add);
            try (ModelSession session = ModelSession.open(floatModel.exposing(exposed), SessionSettings.cpu())) {
                for (int s = 0; s < samples.size(); s++) {
                    Map<String, TensorData> sample = samples.get(s);
                    Map<String, TensorData> values = session.run(sample);
                    int offset = s;
                    IntStream.range(0, chunk.size()).parallel().forEach(i -> {
                        Geometry g = chunk.get(i);
                        TensorData input = values.containsKey(g.input()) ? values.get(g.input()) : sample.get(g.input());
                        accumulate(g, input, hessians.get(i), offset);
                    });
                    progress.progressed(task, ++done, steps);
                }
            }
            for (int i = 0; i < chunk.size(); i++) {
                nearestChannels += roundWeights(floatModel, edited, chunk.get(i), hessians.get(i), qmax);
                channels += chunk.get(i).outChannels();
            }
        }
        progress.finished(task);
        return new Outcome(editor.build(), geometries.size(), channels, nearestChannels, skipped);
    }

    /** The convolutions in chunks whose Hessians together take at most {@code budget} doubles (or one convolution). */
    private static List<List<Geometry>> chunks(List<Geometry> geometries, long budget) {
        List<List<Geometry>> chunks = new ArrayList<>();
        List<Geometry> chunk = new ArrayList<>();
        long held = 0;
        for (Geometry g : geometries) {
            long size = (long) g.groups() * g.patch() * g.patch();
            if (!chunk.isEmpty() && held + size > budget) {
                chunks.add(chunk);
                chunk = new ArrayList<>();
                held = 0;
            }
            chunk.add(g);
            held += size;
        }
        chunks.add(chunk);
        return chunks;
    }

    /**
     * Rounds one convolution's weights with its groups' Hessians and puts them into the graph (a new initializer
     * when the weight is shared).
     *
     * @return how many of its channels were left to round-to-nearest (a group whose Hessian cannot be factored
     *         leaves all of its channels so)
     */
    private static int roundWeights(OnnxModel floatModel, GraphEditor graph, Geometry g, double[][] hessians,
            int qmax) throws LatheException {
        TensorData weight = floatModel.tensorData(graph.constant(g.weight()).orElseThrow());
        float[] values = weight.toFloatArray();
        int outPerGroup = g.outChannels() / g.groups();
        int nearest = IntStream.range(0, g.groups()).parallel().map(group -> {
            GptqHessian prepared;
            try {
                prepared = GptqHessian.prepare(hessians[group], g.patch(), DAMPENING);
            } catch (IllegalArgumentException notPositiveDefinite) {
                return outPerGroup; // numerically singular even after dampening: nearest rounding for the group
            }
            int count = 0;
            for (int o = group * outPerGroup; o < (group + 1) * outPerGroup; o++) {
                count += roundRow(values, o * g.patch(), g.patch(), prepared, qmax) ? 0 : 1;
            }
            return count;
        }).sum();
        String name = graph.consumers(g.weight()).size() == 1 && graph.initializer(g.weight()).isPresent()
                ? g.weight() : graph.uniqueName(g.node() + "_weight");
        graph.putInitializer(name, TensorData.ofFloats(weight.shape(), values));
        if (!name.equals(g.weight())) {
            NodeProto node = graph.node(g.node()).orElseThrow();
            graph.replaceNode(g.node(), node.toBuilder().setInput(1, name).build());
        }
        return nearest;
    }

    /** Why a convolution cannot be rounded here, or null. */
    private static String unsupported(NodeProto node, GraphEditor graph) {
        Optional<TensorProto> weight = graph.constant(node.getInput(1));
        if (weight.isEmpty()) {
            return "its weight is not a constant";
        }
        List<Long> dims = weight.get().getDimsList();
        if (dims.size() != 3 && dims.size() != 4) {
            return "a " + (dims.size() - 2) + "-D convolution (1-D and 2-D only)";
        }
        long patch = dims.stream().skip(1).reduce(1L, Math::multiplyExact);
        if (patch > MAX_PATCH) {
            return "a patch of " + patch + " inputs, more than the " + MAX_PATCH + " a Hessian is made for";
        }
        String autoPad = NodeAttributes.getString(node, "auto_pad").orElse("NOTSET");
        if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID")) {
            return "auto_pad " + autoPad;
        }
        return null;
    }

    private static Geometry geometry(NodeProto node, GraphEditor graph) {
        List<Long> dims = graph.constant(node.getInput(1)).orElseThrow().getDimsList();
        boolean twoD = dims.size() == 4;
        int spatial = dims.size() - 2;
        long[] strides = NodeAttributes.getInts(node, "strides").orElse(filled(spatial, 1));
        long[] dilations = NodeAttributes.getInts(node, "dilations").orElse(filled(spatial, 1));
        long[] pads = NodeAttributes.getInts(node, "pads").orElse(filled(2 * spatial, 0));
        return new Geometry(node.getName(), node.getInput(0), node.getInput(1), Math.toIntExact(dims.get(0)),
                (int) NodeAttributes.getInt(node, "group", 1), Math.toIntExact(dims.get(1)),
                twoD ? Math.toIntExact(dims.get(2)) : 1, Math.toIntExact(dims.get(dims.size() - 1)),
                twoD ? (int) strides[0] : 1, (int) strides[spatial - 1], twoD ? (int) pads[0] : 0,
                (int) pads[spatial - 1], twoD ? (int) pads[spatial] : 0, (int) pads[2 * spatial - 1],
                twoD ? (int) dilations[0] : 1, (int) dilations[spatial - 1]);
    }

    private static long[] filled(int n, long value) {
        long[] out = new long[n];
        Arrays.fill(out, value);
        return out;
    }

    /** Adds the patches of evenly spaced output positions of one sample to each group's Hessian. */
    private static void accumulate(Geometry g, TensorData input, double[][] hessians, int sampleIndex) {
        long[] shape = input.shape();
        int batch = (int) shape[0];
        int channels = (int) shape[1];
        int height = shape.length == 4 ? (int) shape[2] : 1;
        int width = (int) shape[shape.length - 1];
        float[] x = input.toFloatArray();
        int outHeight = (height + g.padTop() + g.padBottom() - g.dilationY() * (g.kernelHeight() - 1) - 1) / g.strideY() + 1;
        int outWidth = (width + g.padLeft() + g.padRight() - g.dilationX() * (g.kernelWidth() - 1) - 1) / g.strideX() + 1;
        int positions = outHeight * outWidth;
        int step = Math.max(1, (positions + POSITIONS_PER_SAMPLE - 1) / POSITIONS_PER_SAMPLE);
        int first = sampleIndex % step;
        int taken = (positions - first + step - 1) / step;
        int d = g.patch();
        double[] patches = new double[d * taken];
        for (int n = 0; n < batch; n++) {
            for (int group = 0; group < g.groups(); group++) {
                Arrays.fill(patches, 0);
                for (int t = 0; t < taken; t++) {
                    int position = first + t * step;
                    int oy = position / outWidth;
                    int ox = position % outWidth;
                    int k = 0;
                    for (int c = 0; c < g.groupInputs(); c++) {
                        int plane = (n * channels + group * g.groupInputs() + c) * height * width;
                        for (int ky = 0; ky < g.kernelHeight(); ky++) {
                            int iy = oy * g.strideY() - g.padTop() + ky * g.dilationY();
                            for (int kx = 0; kx < g.kernelWidth(); kx++, k++) {
                                int ix = ox * g.strideX() - g.padLeft() + kx * g.dilationX();
                                if (iy >= 0 && iy < height && ix >= 0 && ix < width) {
                                    patches[k * taken + t] = x[plane + iy * width + ix];
                                }
                            }
                        }
                    }
                }
                double[] h = hessians[group];
                for (int i = 0; i < d; i++) {
                    int a = i * taken;
                    for (int j = 0; j <= i; j++) {
                        int b = j * taken;
                        double sum = 0;
                        for (int t = 0; t < taken; t++) {
                            sum += patches[a + t] * patches[b + t];
                        }
                        h[i * d + j] += sum;
                    }
                }
            }
        }
    }

    /**
     * GPTQ on one output channel's weights {@code values[from, from + length)}, replaced by values on the grid
     * of the channel's round-to-nearest scale {@code max |w| / qmax}. A channel whose largest code falls short of
     * {@code ±qmax} (the errors moved onto its largest weight pulled it in) keeps its weights, to be rounded to
     * nearest: the writer would otherwise find a smaller scale and round again. Forcing that weight to
     * {@code ±qmax} instead cost PP-OCRv3 detection 0.01 of map IoU.
     *
     * @return whether the channel was rounded by GPTQ
     */
    private static boolean roundRow(float[] values, int from, int length, GptqHessian prepared, int qmax) {
        float amax = 0;
        for (int i = 0; i < length; i++) {
            amax = Math.max(amax, Math.abs(values[from + i]));
        }
        if (amax == 0) {
            return true;
        }
        float scale = (float) ((double) amax / qmax);
        int[] order = prepared.order();
        double[] factor = prepared.factor();
        double[] w = new double[length];
        for (int i = 0; i < length; i++) {
            w[i] = values[from + order[i]];
        }
        int[] codes = new int[length];
        int largest = 0;
        for (int i = 0; i < length; i++) {
            int code = (int) Math.max(-qmax, Math.min(qmax, Math.rint(w[i] / scale)));
            codes[order[i]] = code;
            largest = Math.max(largest, Math.abs(code));
            int row = i * length;
            double error = (w[i] - (double) code * scale) / factor[row + i];
            for (int j = i + 1; j < length; j++) {
                w[j] -= error * factor[row + j];
            }
        }
        if (largest != qmax) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            values[from + i] = codes[i] * scale;
        }
        return true;
    }
}
