package dev.lathe.prune.unstructured;

/**
 * How the flat, row-major elements of a weight tensor map to outputs, input channels and kernel positions.
 * A [K, N] MatMul or Gemm weight has its outputs as columns ({@code outputMajor} false); a Gemm weight read
 * with {@code transB=1} is [N, K] and a Conv weight [Cout, Cin/group, k1, k2, ...], both with the elements
 * of one output contiguous ({@code outputMajor} true). Every group a pruning pattern works on (all weights
 * of one output; m consecutive input channels at one kernel position) is an arithmetic progression of flat
 * indices, given by a start and a stride.
 *
 * @param outputMajor whether the elements of one output are contiguous
 * @param outputs     outputs (N, Cout)
 * @param channels    input channels each output reads (K, Cin/group): the reduction dimension
 * @param positions   kernel positions per channel (the product of the kernel dimensions; 1 for matrices)
 * @param groups      Conv groups (1 for matrices): output o reads input channels of group
 *                    {@code o / (outputs / groups)}
 */
record WeightLayout(boolean outputMajor, int outputs, int channels, int positions, int groups) {

    /** Checks the dimensions. */
    WeightLayout {
        if (outputs < 1 || channels < 1 || positions < 1 || groups < 1 || outputs % groups != 0
                || (!outputMajor && positions != 1)) {
            throw new IllegalArgumentException("invalid weight layout: outputs " + outputs + ", channels " + channels
                    + ", positions " + positions + ", groups " + groups);
        }
        if ((long) outputs * channels * positions > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("weight of " + (long) outputs * channels * positions
                    + " elements is too large to prune in memory");
        }
    }

    /** The layout of a 2-D weight [K, N], or [N, K] when {@code transposed} (Gemm with transB=1). */
    static WeightLayout matrix(long[] shape, boolean transposed) {
        return transposed ? new WeightLayout(true, Math.toIntExact(shape[0]), Math.toIntExact(shape[1]), 1, 1)
                : new WeightLayout(false, Math.toIntExact(shape[1]), Math.toIntExact(shape[0]), 1, 1);
    }

    /** The layout of a Conv weight [Cout, Cin/group, k1, k2, ...]. */
    static WeightLayout convolution(long[] shape, int groups) {
        long positions = 1;
        for (int i = 2; i < shape.length; i++) {
            positions *= shape[i];
        }
        return new WeightLayout(true, Math.toIntExact(shape[0]), Math.toIntExact(shape[1]), Math.toIntExact(positions),
                groups);
    }

    /** Number of elements. */
    int size() {
        return outputs * channels * positions;
    }

    /** Input channels of the activation the weight multiplies ({@code channels · groups}). */
    int inputChannels() {
        return channels * groups;
    }

    /** Weights feeding one output. */
    int perOutput() {
        return channels * positions;
    }

    /** Flat index of the first weight of output {@code output}. */
    int outputStart(int output) {
        return outputMajor ? output * perOutput() : output;
    }

    /** Distance between consecutive weights of one output. */
    int outputStride() {
        return outputMajor ? 1 : outputs;
    }

    /** Flat index of the weight of {@code output}, input channel {@code channel} and kernel position {@code position}. */
    int index(int output, int channel, int position) {
        return outputMajor ? (output * channels + channel) * positions + position : channel * outputs + output;
    }

    /** Distance between the weights of consecutive input channels at one output and kernel position. */
    int channelStride() {
        return outputMajor ? positions : outputs;
    }

    /** The input channel of the activation (among {@link #inputChannels()}) that weight {@code index} multiplies. */
    int inputChannel(int index) {
        if (!outputMajor) {
            return index / outputs;
        }
        int output = index / perOutput();
        int channel = index / positions % channels;
        return output / (outputs / groups) * channels + channel;
    }
}
