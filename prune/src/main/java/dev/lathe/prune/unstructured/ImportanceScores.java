package dev.lathe.prune.unstructured;

import dev.lathe.core.LatheException;
import dev.lathe.core.PassFailedException;
import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.calibration.CalibrationStatistics;
import dev.lathe.core.calibration.ChannelRequest;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.Node;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import dev.lathe.core.pipeline.PassContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The score of every element of a weight: |W| for magnitude importance, |W_k|·‖X_k‖₂ for Wanda, where
 * ‖X_k‖₂ is the L2 norm of the input channel k that the element multiplies, over every position of every
 * calibration sample. The norms come from the calibration service ({@link PassContext#statistics}), asked
 * for the last axis:
 * the input of a Conv (channels on axis 1) or of a Gemm with {@code transA=1} (channels on axis 0) is
 * measured through a Transpose added to a probe copy of the model. A weight read by several nodes gets the
 * norm of all their inputs together (the square root of the summed squares). Weights whose input is not a
 * value of the main graph (computed inside a subgraph, or a constant) cannot be measured and are ranked by
 * magnitude; {@link #fallbacks()} names them.
 */
final class ImportanceScores {
    private final Map<PrunableWeight, double[]> norms;
    private final Map<String, String> fallbacks;

    private ImportanceScores(Map<PrunableWeight, double[]> norms, Map<String, String> fallbacks) {
        this.norms = norms;
        this.fallbacks = fallbacks;
    }

    /** Magnitude scores for every weight. */
    static ImportanceScores magnitude() {
        return new ImportanceScores(Map.of(), Map.of());
    }

    /**
     * Wanda scores: runs the model on the calibration samples to measure the input norms of the weights.
     *
     * @throws PassFailedException if there are no calibration samples or ONNX Runtime cannot run the model
     */
    static ImportanceScores wanda(String pass, OnnxModel model, List<PrunableWeight> weights, PassContext context)
            throws LatheException {
        if (!context.hasCalibration()) {
            throw new PassFailedException(pass + " needs real calibration data to measure activation norms, and none was "
                    + "given: pass samples (lathe optimize --data FILE, or Pipeline.Builder.data), use importance=magnitude, or "
                    + "allow calibrating on generated inputs (--calibrate-on-generated)");
        }
        Set<String> mainValues = new HashSet<>();
        model.graph().nodes().forEach(n -> mainValues.addAll(n.getOutputList()));
        model.graph().inputs().stream().map(ValueInfoProto::getName).forEach(mainValues::add);
        ModelEditor probe = model.edit();
        Map<String, String> measured = new LinkedHashMap<>();
        Map<PrunableWeight, List<String>> inputsOf = new IdentityHashMap<>();
        Map<String, String> fallbacks = new TreeMap<>();
        for (PrunableWeight weight : weights) {
            if (weight.readers().stream().allMatch(r -> mainValues.contains(r.node().getInput(0)))) {
                inputsOf.put(weight, weight.readers().stream().map(r -> measuredInput(r.node(), weight, probe, measured)).toList());
            } else {
                weight.nodeNames().forEach(n -> fallbacks.put(n, "magnitude: its input is not a main-graph value "
                        + "(computed inside a subgraph, or constant), so its activation norms cannot be measured"));
            }
        }
        Map<PrunableWeight, double[]> norms = new IdentityHashMap<>();
        if (!inputsOf.isEmpty()) {
            Map<String, Integer> channels = new LinkedHashMap<>();
            inputsOf.forEach((weight, inputs) -> inputs.forEach(input -> channels.putIfAbsent(input,
                    weight.layout().inputChannels())));
            List<ChannelRequest> requests = new ArrayList<>();
            channels.forEach((value, count) -> requests.add(ChannelRequest.lastAxis(value, count)));
            CalibrationStatistics statistics;
            try {
                statistics = context.statistics(probe.build(), requests, context.calibrationLimit());
            } catch (RuntimeFailureException | IllegalArgumentException e) {
                throw new PassFailedException(pass + ": measuring activation norms on the calibration inputs failed: "
                        + e.getMessage(), e);
            }
            for (PrunableWeight weight : weights) {
                List<String> inputs = inputsOf.get(weight);
                if (inputs != null) {
                    combinedNorms(weight, inputs, statistics, fallbacks).ifPresent(n -> norms.put(weight, n));
                }
            }
        }
        return new ImportanceScores(norms, fallbacks);
    }

    /**
     * The main-graph value whose last axis holds the input channels of the reader: its input itself, or a
     * Transpose of it added to the probe (once per input and permutation, recorded in {@code measured}).
     */
    private static String measuredInput(NodeProto reader, PrunableWeight weight, ModelEditor probe,
            Map<String, String> measured) {
        String activation = reader.getInput(0);
        long[] perm = channelsLast(reader, weight.tensor().getDimsCount());
        return measured.computeIfAbsent(activation + Arrays.toString(perm),
                key -> perm.length == 0 ? activation : transposed(probe, activation, perm));
    }

    /** The permutation that moves the input's channel axis last, or an empty array if it is last already. */
    private static long[] channelsLast(NodeProto node, int weightRank) {
        if (node.getOpType().equals("Conv")) {
            long[] perm = new long[weightRank];
            for (int i = 1; i < weightRank - 1; i++) {
                perm[i] = i + 1;
            }
            perm[weightRank - 1] = 1;
            return perm;
        }
        boolean transA = node.getOpType().equals("Gemm") && NodeAttributes.getInt(node, "transA", 0) == 1;
        return transA ? new long[] {1, 0} : new long[0];
    }

    /** Adds {@code Transpose(value, perm)} to the probe and returns its output. */
    private static String transposed(ModelEditor probe, String value, long[] perm) {
        String output = probe.uniqueName(value + "_channels_last");
        probe.mainGraph().add(Node.op("Transpose").named(probe.uniqueName(value + "_to_channels_last")).in(value).out(output)
                .ints("perm", perm));
        return output;
    }

    /** The L2 norm of each input channel over all the weight's readers' inputs, or empty (with a fallback) if they do not fit. */
    private static Optional<double[]> combinedNorms(PrunableWeight weight, List<String> inputs,
            CalibrationStatistics statistics, Map<String, String> fallbacks) {
        double[] sum = new double[weight.layout().inputChannels()];
        for (String input : inputs) {
            double[] squares = statistics.of(input).sumSquares();
            if (squares.length != sum.length) {
                weight.nodeNames().forEach(n -> fallbacks.put(n, "magnitude: its input has " + squares.length
                        + " channels where the weight expects " + sum.length));
                return Optional.empty();
            }
            for (int k = 0; k < sum.length; k++) {
                sum[k] += squares[k];
            }
        }
        for (int k = 0; k < sum.length; k++) {
            sum[k] = Math.sqrt(sum[k]);
        }
        return Optional.of(sum);
    }

    /** Nodes ranked by magnitude although Wanda was asked for, and why, by node name. */
    Map<String, String> fallbacks() {
        return fallbacks;
    }

    /** The score of each element of the weight, whose current values are {@code values}. */
    float[] of(PrunableWeight weight, float[] values) {
        double[] channelNorms = norms.get(weight);
        float[] scores = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            scores[i] = channelNorms == null ? Math.abs(values[i])
                    : (float) (Math.abs(values[i]) * channelNorms[weight.layout().inputChannel(i)]);
        }
        return scores;
    }
}
