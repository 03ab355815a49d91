package dev.lathe.quantize.weightonly;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.files.SpillFile;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.Node;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.weights.NodeFilter;
import dev.lathe.core.weights.WeightedNodes;
import dev.lathe.core.weights.WeightedNodes.WeightedNode;
import dev.lathe.quantize.WeightQuantizer;
import dev.lathe.quantize.weightonly.WeightOnlySettings.EmbeddingFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Stores the constant float tables that {@code Gather} nodes read along axis 0 (embeddings [V, D]) in 8 or
 * 4 bits. A table read by several Gathers is quantized once, next to where it is defined.
 *
 * <ul>
 *   <li>int8: symmetric int8 per row (the shared {@link WeightQuantizer}); {@code Gather(table, ids)}
 *       becomes {@code Mul(Cast(Gather(q, ids), float), Gather(scales, ids))} with the scales stored as
 *       [V, 1], so the gathered scales already carry the trailing axis the product broadcasts over (no
 *       Unsqueeze, so any default-domain opset from 6 works).</li>
 *   <li>int4: com.microsoft {@code GatherBlockQuantized} (bits 4, {@code gather_axis} 0,
 *       {@code quantize_axis} 1) on uint8 data [V, D/2], scales [V, ceil(D / block)] and, when
 *       asymmetric, packed zero points; ONNX Runtime runs it on CPU. Tables of odd width are stored in int8
 *       instead.</li>
 * </ul>
 */
final class EmbeddingQuantizer {
    /** The first default-domain opset whose Cast takes its target type as an int. */
    private static final long MIN_OPSET = 6;

    private final EmbeddingFormat format;
    private final BlockQuantizer blocks;

    /**
     * @param format how to store tables (not {@link EmbeddingFormat#FLOAT})
     * @param blocks the block layout for 4-bit tables
     */
    EmbeddingQuantizer(EmbeddingFormat format, BlockQuantizer blocks) {
        if (format == EmbeddingFormat.FLOAT) {
            throw new IllegalArgumentException("float tables are not quantized");
        }
        this.format = format;
        this.blocks = blocks;
    }

    /** A quantized table's initializer names, and whether it is 4-bit. */
    private record Table(String data, String scales, String zeroPoints, boolean fourBit) {
    }

    /** A table in the graph that defines it. */
    private record TableKey(GraphEditor graph, String name) {
    }

    /** Rewrites every selected Gather of {@code editor}'s model (a model whose nodes all have names). */
    void apply(OnnxModel model, ModelEditor editor, NodeFilter filter, SpillFile spill, StepDetails details)
            throws InvalidModelException, IOException {
        long opset = model.opsetVersion("").orElse(1L);
        NodeFilter gathers = new NodeFilter(Set.of("Gather"), filter.include(), filter.exclude(), filter.minWeightElements());
        Map<TableKey, Table> tables = new HashMap<>();
        for (WeightedNode found : WeightedNodes.find(editor, Set.of("Gather"), 0)) {
            NodeProto node = found.node();
            long[] shape = found.weightShape();
            Optional<String> rejected = gathers.rejects(node, shape[0] * shape[1]);
            if (rejected.isEmpty() && NodeAttributes.getInt(node, "axis", 0) != 0 && NodeAttributes.getInt(node, "axis", 0) != -2) {
                rejected = Optional.of("gathers along axis " + NodeAttributes.getInt(node, "axis", 0) + ", not the rows of the table");
            }
            if (rejected.isEmpty() && opset < MIN_OPSET) {
                rejected = Optional.of("default-domain opset " + opset + " is below " + MIN_OPSET);
            }
            if (rejected.isPresent()) {
                details.skip(node.getName(), node.getOpType(), rejected.get());
                continue;
            }
            GraphEditor home = WeightOnlyQuantization.definingGraph(found.graph(), found.weightName());
            TableKey key = new TableKey(home, found.weightName());
            Table table = tables.get(key);
            if (table == null) {
                WeightStripes values = new WeightStripes(model.tensorData(found.weight()), (int) shape[0], (int) shape[1], false);
                table = quantize(home, found.weightName(), values, (int) shape[0], (int) shape[1], spill, details);
                tables.put(key, table);
            }
            rewrite(found.graph(), node, table);
            details.gatherQuantized();
        }
        if (tables.values().stream().anyMatch(Table::fourBit)) {
            editor.requireOpset(WeightOnlyQuantization.MS_DOMAIN, 1);
        }
    }

    /** Quantizes a table stripe by stripe of rows into {@code spill} and puts its initializers next to it. */
    private Table quantize(GraphEditor home, String name, WeightStripes values, int rows, int width, SpillFile spill,
            StepDetails details) throws IOException {
        long before = (long) rows * width * 4;
        if (format == EmbeddingFormat.INT4 && width % 2 == 0) {
            SpilledBlocks out = new SpilledBlocks(spill, rows, width, 4, blocks.blockSize(), blocks.symmetric(), false)
                    .fill(values, (stripe, count) -> blocks.roundToNearest(stripe, count, width));
            SpilledBlocks.Stored stored = out.store(home, name, "_Q4");
            details.tableQuantized(before, out.bytes());
            return new Table(stored.codes(), stored.scales(), stored.zeroPoints(), true);
        }
        WeightQuantizer perRow = new WeightQuantizer(true, true, false, false);
        ByteBuffer codes = spill.allocate((long) rows * width);
        ByteBuffer scaleBytes = spill.allocate(rows * 4L);
        int step = values.stripeRows();
        for (int row = 0; row < rows; row += step) {
            int count = Math.min(step, rows - row);
            WeightQuantizer.Quantized q = perRow.quantize(values.read(row, count), count, width, WeightQuantizer.Grouping.PER_ROW);
            codes.put(row * width, q.values());
            for (int i = 0; i < count; i++) {
                scaleBytes.putFloat((row + i) * 4, q.scales()[i]);
            }
        }
        String data = home.uniqueName(name + "_int8");
        String scales = home.uniqueName(name + "_scales");
        home.putInitializer(data, TensorData.wrap(DataType.INT8, new long[] {rows, width}, codes.duplicate().position(0)));
        home.putInitializer(scales, TensorData.wrap(DataType.FLOAT, new long[] {rows, 1}, scaleBytes.duplicate().position(0)));
        details.tableQuantized(before, (long) rows * width + rows * 4L);
        return new Table(data, scales, "", false);
    }

    private void rewrite(GraphEditor graph, NodeProto node, Table table) {
        String ids = node.getInput(1);
        String output = node.getOutput(0);
        if (table.fourBit()) {
            Node gather = Node.op("GatherBlockQuantized").domain(WeightOnlyQuantization.MS_DOMAIN).named(node.getName())
                    .in(table.data(), ids, table.scales()).out(output).attr("bits", 4)
                    .attr("block_size", blocks.blockSize()).attr("gather_axis", 0).attr("quantize_axis", 1);
            if (!table.zeroPoints().isEmpty()) {
                gather.in(table.zeroPoints());
            }
            graph.replaceNode(node.getName(), gather);
            return;
        }
        String codes = graph.uniqueName(output + "_int8");
        String floats = graph.uniqueName(output + "_unscaled");
        String scales = graph.uniqueName(output + "_scale");
        graph.replaceNode(node.getName(),
                Node.op("Gather").named(graph.uniqueName(node.getName() + "_int8")).in(table.data(), ids).out(codes)
                        .attr("axis", 0),
                Node.op("Cast").named(graph.uniqueName(node.getName() + "_cast")).in(codes).out(floats)
                        .attr("to", DataType.FLOAT),
                Node.op("Gather").named(graph.uniqueName(node.getName() + "_scale")).in(table.scales(), ids).out(scales)
                        .attr("axis", 0),
                Node.op("Mul").named(node.getName()).in(floats, scales).out(output));
    }
}
