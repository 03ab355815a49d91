package dev.lathe.quantize.weightonly;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.LatheException;
import dev.lathe.core.PassFailedException;
import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.calibration.ChannelRequest;
import dev.lathe.core.calibration.ChannelStatistics;
import dev.lathe.core.files.SpillFile;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.Graph;
import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.Node;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorCodec;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import dev.lathe.core.pipeline.HeapBudget;
import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassResult;
import dev.lathe.core.pipeline.ProgressListener;
import dev.lathe.core.weights.WeightedNodes;
import dev.lathe.core.weights.WeightedNodes.WeightedNode;
import dev.lathe.quantize.GptqHessian;
import dev.lathe.quantize.weightonly.SpilledBlocks.Stored;
import dev.lathe.quantize.weightonly.SpilledBlocks.StripeQuantizer;
import dev.lathe.quantize.weightonly.WeightOnlySettings.EmbeddingFormat;
import dev.lathe.quantize.weightonly.WeightOnlySettings.Method;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Weight-only block-wise quantization: every selected MatMul (and Gemm with {@code alpha = beta = 1},
 * {@code transA = 0}) with a constant float weight [K, N] ([N, K] for Gemm with {@code transB = 1})
 * becomes a com.microsoft {@code MatMulNBits} reading the weight transposed to [N, K] and quantized to 4 or
 * 8 bits in blocks along K (K padded to whole blocks). A Gemm's C and, optionally, the constant bias [N]
 * of an Add right after a MatMul become the operator's bias input. Optionally, constant embedding tables
 * read by Gather are stored in 8 or 4 bits too ({@link EmbeddingQuantizer}).
 *
 * <p>Weights are rounded to nearest, or with GPTQ when calibration samples are given: the activations each
 * weight multiplies are read by running the model in ONNX Runtime (through {@code core.runtime}) with
 * those values as extra outputs. A weight shared by several nodes is quantized once and stored in the
 * graph that defines it; weights in Constant nodes and in subgraphs are handled like initializers (GPTQ
 * cannot observe activations computed inside subgraphs, so those weights are rounded to nearest). The
 * model imports com.microsoft opset 1 only when something was rewritten.
 *
 * <p>Weights stream: each is read a stripe of rows at a time ({@link WeightStripes}) from wherever it lives
 * (the memory map of external data) and its quantized form is written into a {@link SpillFile} off the heap
 * ({@link SpilledBlocks}) as soon as it is done, so the heap this pass needs does not grow with the model;
 * it is checked before the work starts ({@link HeapBudget}).
 */
public final class WeightOnlyQuantization implements Pass {
    /** The domain of MatMulNBits and GatherBlockQuantized. */
    static final String MS_DOMAIN = "com.microsoft";
    /** Relative dampening of GPTQ's Hessians. */
    static final double GPTQ_DAMPENING = 0.1;
    /** GPTQ needs at least this many calibration tokens per input feature of a weight. */
    static final double GPTQ_MIN_TOKENS_PER_INPUT = 1.0;
    /** Hessian elements (doubles) held at once; more weights are processed in several calibration runs. */
    private static final long HESSIAN_BUDGET = 1L << 24;

    private final Map<String, String> options;
    private final WeightOnlySettings settings;

    /** A pass with these settings ({@code quantize.int4} or {@code quantize.int8-weights} by their bits); {@link #options()} gives every setting. */
    public WeightOnlyQuantization(WeightOnlySettings settings) {
        this(settings.options(), settings);
    }

    /** A pass read from {@code options}, which {@link #options()} returns as given, in order. */
    WeightOnlyQuantization(Map<String, String> options, WeightOnlySettings settings) {
        this.options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
        this.settings = settings;
    }

    @Override
    public String name() {
        return settings.pass();
    }

    @Override
    public Map<String, String> options() {
        return options;
    }

    /** The settings this pass quantizes with. */
    public WeightOnlySettings settings() {
        return settings;
    }

    /** A weight in the graph that defines it, as the nodes reading it in one layout see it. */
    private record WeightKey(GraphEditor graph, String name, boolean transposed) {
    }

    /**
     * One MatMul/Gemm to rewrite.
     *
     * @param graph  the graph holding the node
     * @param node   the node
     * @param weight the weight tensor
     * @param key    which quantized weight it reads
     * @param k      input features
     * @param n      output features
     * @param bias   the bias value for MatMulNBits, or ""
     * @param add    the Add folded into the node, or null
     */
    private record Rewrite(GraphEditor graph, NodeProto node, TensorProto weight, WeightKey key, int k, int n,
            String bias, NodeProto add) {
        String activation() {
            return node.getInput(0);
        }

        String output() {
            return add == null ? node.getOutput(0) : add.getOutput(0);
        }
    }

    /** A quantized weight's initializers. */
    @Override
    public PassResult apply(OnnxModel model, PassContext context) throws LatheException {
        ModelEditor editor = model.edit();
        Map<String, Graph> views = new HashMap<>();
        model.graph().withAllSubgraphs().forEach(g -> views.put(g.path(), g));
        StepDetails details = new StepDetails();
        Map<WeightKey, List<Rewrite>> byWeight = new LinkedHashMap<>();
        for (Rewrite rewrite : plan(editor, views, details)) {
            byWeight.computeIfAbsent(rewrite.key(), k -> new ArrayList<>()).add(rewrite);
        }
        if (settings.method() == Method.GPTQ) {
            context.requireCalibration(name());
        }
        boolean gptq = settings.method() == Method.GPTQ || (settings.method() == Method.AUTO && context.hasCalibration());
        details.method(gptq ? "gptq" : "rtn");
        HeapBudget.require(model.source() + ": " + name(), workingBytes(byWeight, gptq));
        try (SpillFile spill = SpillFile.create(null, name())) {
            Map<WeightKey, Stored> stored = quantize(model, byWeight, gptq, context, views.get(""), spill, details);
            for (Map.Entry<WeightKey, List<Rewrite>> entry : byWeight.entrySet()) {
                for (Rewrite rewrite : entry.getValue()) {
                    replace(rewrite, stored.get(entry.getKey()));
                    details.nodeQuantized(rewrite.add() != null);
                }
            }
            if (!byWeight.isEmpty()) {
                editor.requireOpset(MS_DOMAIN, 1);
            }
            if (settings.embeddings() != EmbeddingFormat.FLOAT) {
                new EmbeddingQuantizer(settings.embeddings(), new BlockQuantizer(4, settings.embeddingBlockSize(), settings.symmetric()))
                        .apply(model, editor, settings.filter(), spill, details);
            }
        } catch (IOException e) {
            throw new PassFailedException(model.source() + ": " + name() + ": cannot hold the quantized weights off the heap: "
                    + e.getMessage(), e);
        }
        if (details.changedAnything()) {
            editor.removeDeadNodes();
        }
        return new PassResult(details.changedAnything() ? editor.build() : model, details.toMap());
    }

    /**
     * Heap the pass needs beyond the model: a stripe of the widest weight and its codes (four times the
     * stripe, generously), and for GPTQ the Hessians of one chunk plus one prepared factor of the widest
     * input.
     */
    private static long workingBytes(Map<WeightKey, List<Rewrite>> byWeight, boolean gptq) {
        long widest = byWeight.values().stream().mapToLong(r -> r.get(0).k()).max().orElse(0);
        long stripe = Math.max(WeightStripes.STRIPE_ELEMENTS, widest) * 4L * 4;
        return gptq ? stripe + HESSIAN_BUDGET * 8 + 2 * widest * widest * 8 : stripe;
    }

    /** Finds the nodes to rewrite and records the ones left alone. */
    private List<Rewrite> plan(ModelEditor editor, Map<String, Graph> views, StepDetails details) {
        List<Rewrite> rewrites = new ArrayList<>();
        Set<String> ops = new TreeSet<>(settings.filter().opTypes());
        for (WeightedNode found : WeightedNodes.find(editor, ops, 1)) {
            NodeProto node = found.node();
            long[] shape = found.weightShape();
            Optional<String> rejected = settings.filter().rejects(node, shape[0] * shape[1]);
            boolean transposed = node.getOpType().equals("Gemm") && NodeAttributes.getInt(node, "transB", 0) == 1;
            int k = (int) (transposed ? shape[1] : shape[0]);
            int n = (int) (transposed ? shape[0] : shape[1]);
            String bias = "";
            NodeProto add = null;
            if (rejected.isEmpty() && node.getOpType().equals("Gemm")) {
                rejected = gemmProblem(node);
                if (rejected.isEmpty() && node.getInputCount() > 2 && !node.getInput(2).isEmpty()) {
                    Optional<String> c = gemmBias(found.graph(), node.getInput(2), n);
                    rejected = c.isEmpty() ? Optional.of("C is not a constant float bias [" + n + "] or [1, " + n + "]")
                            : Optional.empty();
                    bias = c.orElse("");
                }
            }
            if (rejected.isPresent()) {
                details.skip(node.getName(), node.getOpType(), rejected.get());
                continue;
            }
            if (node.getOpType().equals("MatMul") && settings.foldBias()) {
                add = foldableAdd(found.graph(), views.get(found.graph().path()), node.getOutput(0), n);
                bias = add == null ? "" : biasOf(add, node.getOutput(0));
            }
            WeightKey key = new WeightKey(definingGraph(found.graph(), found.weightName()), found.weightName(), transposed);
            rewrites.add(new Rewrite(found.graph(), node, found.weight(), key, k, n, bias, add));
        }
        return rewrites;
    }

    private static Optional<String> gemmProblem(NodeProto node) {
        if (NodeAttributes.getInt(node, "transA", 0) != 0) {
            return Optional.of("Gemm with transA=1");
        }
        float alpha = NodeAttributes.getFloat(node, "alpha", 1f);
        float beta = NodeAttributes.getFloat(node, "beta", 1f);
        boolean hasC = node.getInputCount() > 2 && !node.getInput(2).isEmpty();
        if (alpha != 1f || (hasC && beta != 1f)) {
            return Optional.of("Gemm with alpha=" + alpha + ", beta=" + beta + " (only 1 and 1 are folded)");
        }
        return Optional.empty();
    }

    /** The name of a [N] bias equal to Gemm's C, if C is a constant float [N] or [1, N] (a new [N] copy if needed). */
    private static Optional<String> gemmBias(GraphEditor graph, String c, int n) {
        Optional<TensorProto> tensor = graph.constant(c);
        long[] shape = tensor.map(TensorCodec::shapeOf).orElse(new long[0]);
        boolean perColumn = (shape.length == 1 && shape[0] == n) || (shape.length == 2 && shape[0] == 1 && shape[1] == n);
        if (!perColumn || tensor.get().getDataType() != DataType.FLOAT.code()) {
            return Optional.empty();
        }
        if (tensor.get().getDimsCount() == 1) {
            return Optional.of(c);
        }
        String reshaped = graph.uniqueName(c + "_bias");
        graph.putInitializer(tensor.get().toBuilder().setName(reshaped).clearDims().addDims(n).build());
        return Optional.of(reshaped);
    }

    /**
     * The Add that alone reads a MatMul's output and adds a constant float [N] to it, if there is one and the
     * output is not also a graph output.
     */
    private static NodeProto foldableAdd(GraphEditor graph, Graph view, String output, int n) {
        if (view.outputs().stream().map(ValueInfoProto::getName).anyMatch(output::equals)) {
            return null;
        }
        List<NodeProto> readers = view.consumers(output);
        if (readers.size() != 1) {
            return null;
        }
        NodeProto add = readers.get(0);
        if (!add.getOpType().equals("Add") || !(add.getDomain().isEmpty() || add.getDomain().equals("ai.onnx"))
                || add.getInputCount() != 2 || add.getInput(0).equals(add.getInput(1))) {
            return null;
        }
        Optional<TensorProto> bias = graph.constant(biasOf(add, output));
        boolean isBias = bias.isPresent() && bias.get().getDataType() == DataType.FLOAT.code()
                && bias.get().getDimsCount() == 1 && bias.get().getDims(0) == n;
        return isBias ? add : null;
    }

    private static String biasOf(NodeProto add, String product) {
        return add.getInput(0).equals(product) ? add.getInput(1) : add.getInput(0);
    }

    /**
     * Quantizes every weight once, with GPTQ where activations can be observed and enough tokens were seen,
     * and stores each in the graph that defines it as soon as it is done: the codes go to {@code spill}, off
     * the heap, so memory does not grow with the number of weights.
     */
    private Map<WeightKey, Stored> quantize(OnnxModel model, Map<WeightKey, List<Rewrite>> byWeight, boolean gptq,
            PassContext context, Graph main, SpillFile spill, StepDetails details) throws LatheException, IOException {
        BlockQuantizer quantizer = new BlockQuantizer(settings.bits(), settings.blockSize(), settings.symmetric());
        Map<WeightKey, Stored> stored = new LinkedHashMap<>();
        List<List<WeightKey>> chunks = new ArrayList<>();
        if (gptq) {
            chunks = gptqChunks(byWeight, main, details);
        }
        ProgressListener progress = context.progress();
        String task = name() + ": quantizing " + byWeight.size() + " weights";
        progress.started(task, byWeight.size());
        Gptq solver = new Gptq(quantizer, GPTQ_DAMPENING);
        for (List<WeightKey> chunk : chunks) {
            Map<String, Integer> activations = new LinkedHashMap<>();
            for (WeightKey key : chunk) {
                byWeight.get(key).forEach(r -> activations.put(r.activation(), r.k()));
            }
            Map<String, ChannelStatistics> hessians = hessians(model, activations, context);
            Map<Set<String>, GptqHessian> preparations = new HashMap<>();
            for (WeightKey key : chunk) {
                List<Rewrite> rewrites = byWeight.get(key);
                Set<String> inputs = new TreeSet<>();
                rewrites.forEach(r -> inputs.add(r.activation()));
                int k = rewrites.get(0).k();
                long tokens = inputs.stream().mapToLong(i -> hessians.get(i).rows()).sum();
                details.calibrationTokens(tokens);
                if (tokens < GPTQ_MIN_TOKENS_PER_INPUT * k) {
                    details.roundedToNearest(key.name(), "calibration gave " + tokens + " tokens, fewer than the "
                            + k + " inputs of the weight");
                    continue;
                }
                GptqHessian prepared = prepared(inputs, hessians, k, solver, preparations);
                stored.put(key, quantizeWeight(model, key, rewrites.get(0),
                        (stripe, rows) -> solver.quantize(stripe, rows, k, prepared), spill, details));
                progress.progressed(task, stored.size(), byWeight.size());
            }
        }
        for (Map.Entry<WeightKey, List<Rewrite>> entry : byWeight.entrySet()) {
            if (!stored.containsKey(entry.getKey())) {
                Rewrite first = entry.getValue().get(0);
                stored.put(entry.getKey(), quantizeWeight(model, entry.getKey(), first,
                        (stripe, rows) -> quantizer.roundToNearest(stripe, rows, first.k()), spill, details));
                progress.progressed(task, stored.size(), byWeight.size());
            }
        }
        progress.finished(task);
        return stored;
    }

    /**
     * Quantizes a weight stripe by stripe of output rows into {@code spill} and puts its initializers into the
     * graph that defines it.
     */
    private Stored quantizeWeight(OnnxModel model, WeightKey key, Rewrite first, StripeQuantizer quantizer, SpillFile spill,
            StepDetails details) throws InvalidModelException, IOException {
        int n = first.n();
        int k = first.k();
        WeightStripes stripes = new WeightStripes(model.tensorData(first.weight()), n, k, !key.transposed());
        SpilledBlocks out = new SpilledBlocks(spill, n, k, settings.bits(), settings.blockSize(), settings.symmetric(), true)
                .fill(stripes, quantizer);
        details.weightQuantized((long) n * k * 4, out.bytes());
        return out.store(key.graph(), key.name(), "_Q" + settings.bits());
    }

    /**
     * Groups the weights GPTQ can handle so that the Hessians of one group fit {@link #HESSIAN_BUDGET}; the
     * others are recorded as rounded to nearest.
     */
    private static List<List<WeightKey>> gptqChunks(Map<WeightKey, List<Rewrite>> byWeight, Graph main, StepDetails details) {
        Set<String> observable = new LinkedHashSet<>();
        main.inputs().forEach(v -> observable.add(v.getName()));
        main.nodes().forEach(n -> observable.addAll(n.getOutputList()));
        List<List<WeightKey>> chunks = new ArrayList<>();
        List<WeightKey> chunk = new ArrayList<>();
        Set<String> chunkInputs = new LinkedHashSet<>();
        long held = 0;
        for (Map.Entry<WeightKey, List<Rewrite>> entry : byWeight.entrySet()) {
            List<Rewrite> rewrites = entry.getValue();
            if (rewrites.stream().anyMatch(r -> !observable.contains(r.activation()))) {
                details.roundedToNearest(entry.getKey().name(), "its activations are not computed in the main graph");
                continue;
            }
            long needed = hessianElements(rewrites, chunkInputs);
            if (!chunk.isEmpty() && held + needed > HESSIAN_BUDGET) {
                chunks.add(chunk);
                chunk = new ArrayList<>();
                chunkInputs.clear();
                held = 0;
                needed = hessianElements(rewrites, chunkInputs);
            }
            chunk.add(entry.getKey());
            rewrites.forEach(r -> chunkInputs.add(r.activation()));
            held += needed;
        }
        if (!chunk.isEmpty()) {
            chunks.add(chunk);
        }
        return chunks;
    }

    /** Elements of the Hessians a weight's rewrites need beyond those of {@code held}. */
    private static long hessianElements(List<Rewrite> rewrites, Set<String> held) {
        Set<String> added = new LinkedHashSet<>();
        long elements = 0;
        for (Rewrite r : rewrites) {
            if (!held.contains(r.activation()) && added.add(r.activation())) {
                elements += (long) r.k() * r.k();
            }
        }
        return elements;
    }

    /**
     * The second moments {@code H = Σ xᵀx} of the activations weights multiply, over the rows (tokens) of the
     * calibration samples: the Gram matrices of their last axes, from the calibration service.
     */
    private static Map<String, ChannelStatistics> hessians(OnnxModel model, Map<String, Integer> activations,
            PassContext context) throws LatheException {
        List<ChannelRequest> requests = new ArrayList<>();
        activations.forEach((activation, k) -> requests.add(new ChannelRequest(activation, -1, 0, k, true)));
        try {
            return context.statistics(model, requests, context.calibrationLimit()).statistics();
        } catch (RuntimeFailureException | IllegalArgumentException e) {
            throw new PassFailedException(model.source() + ": cannot observe activations for GPTQ: " + e.getMessage(), e);
        }
    }

    /** The GPTQ preparation of the summed Hessians of some activations, made once per set of activations. */
    private static GptqHessian prepared(Set<String> inputs, Map<String, ChannelStatistics> hessians, int k, Gptq solver,
            Map<Set<String>, GptqHessian> preparations) {
        GptqHessian prepared = preparations.get(inputs);
        if (prepared == null) {
            prepared = solver.prepare(sum(inputs, hessians, k), k);
            preparations.put(inputs, prepared);
        }
        return prepared;
    }

    /** The summed Hessians as row-major K×K with the lower triangle (column ≤ row) filled, the rest 0. */
    private static double[] sum(Set<String> inputs, Map<String, ChannelStatistics> hessians, int k) {
        double[] total = new double[k * k];
        for (String input : inputs) {
            double[][] gram = hessians.get(input).gram();
            for (int i = 0; i < k; i++) {
                for (int l = 0; l <= i; l++) {
                    total[i * k + l] += gram[i][l];
                }
            }
        }
        return total;
    }

    /** Replaces a node (and its folded Add) by MatMulNBits. */
    private void replace(Rewrite rewrite, Stored stored) {
        Node node = Node.op("MatMulNBits").domain(MS_DOMAIN).named(rewrite.node().getName())
                .in(rewrite.activation(), stored.codes(), stored.scales());
        if (!rewrite.bias().isEmpty()) {
            node.in(stored.zeroPoints(), "", rewrite.bias());
        } else if (!stored.zeroPoints().isEmpty()) {
            node.in(stored.zeroPoints());
        }
        node.out(rewrite.output()).attr("K", rewrite.k()).attr("N", rewrite.n()).attr("bits", settings.bits())
                .attr("block_size", settings.blockSize()).attr("accuracy_level", settings.accuracyLevel());
        rewrite.graph().replaceNode(rewrite.node().getName(), node);
        if (rewrite.add() != null) {
            rewrite.graph().removeNode(rewrite.add().getName());
        }
    }

    /**
     * The graph that defines a constant visible from {@code graph}: the innermost enclosing graph (or
     * {@code graph} itself) holding it as an initializer or Constant node output.
     */
    static GraphEditor definingGraph(GraphEditor graph, String value) {
        GraphEditor current = graph;
        while (current.initializer(value).isEmpty()
                && current.nodes().stream().noneMatch(n -> n.getOutputList().contains(value))) {
            Optional<GraphEditor> parent = current.parent();
            if (parent.isEmpty()) {
                return graph;
            }
            current = parent.get();
        }
        return current;
    }

}
