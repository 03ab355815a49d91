package dev.lathe.core.model;

import com.google.protobuf.UnsafeByteOperations;
import dev.lathe.core.InvalidModelException;
import dev.lathe.core.files.AtomicFiles;
import dev.lathe.core.onnx.Onnx.AttributeProto;
import dev.lathe.core.onnx.Onnx.GraphProto;
import dev.lathe.core.onnx.Onnx.ModelProto;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.SparseTensorProto;
import dev.lathe.core.onnx.Onnx.StringStringEntryProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes a model and its external data atomically. Tensor bytes are streamed from wherever they live
 * (mapped files, heap buffers) straight to the output, so saving never needs all weights on the heap.
 */
final class ModelWriter {
    /** Above this many inline bytes, automatic layout switches to external data (protobuf's limit is 2 GiB). */
    private static final long AUTO_EXTERNAL_BYTES = 1536L << 20;
    private static final int PAGE = 4096;

    private final OnnxModel model;
    private final boolean external;
    private final long threshold;
    private final String dataFileName;
    private final FileChannel data;
    private long offset;

    private ModelWriter(OnnxModel model, boolean external, long threshold, String dataFileName, FileChannel data) {
        this.model = model;
        this.external = external;
        this.threshold = threshold;
        this.dataFileName = dataFileName;
        this.data = data;
    }

    static void write(OnnxModel model, Path file, SaveOptions options) throws IOException, InvalidModelException {
        try {
            writeAtomically(model, file, options);
        } catch (IOException e) {
            // Name the file the user asked for, not (only) the hidden temporary one that failed.
            String message = String.valueOf(e.getMessage());
            throw message.contains(file.toString()) ? e : new IOException(file + ": cannot write the model: " + message, e);
        }
    }

    private static void writeAtomically(OnnxModel model, Path file, SaveOptions options)
            throws IOException, InvalidModelException {
        Path target = file.toAbsolutePath().normalize();
        Path folder = target.getParent();
        Files.createDirectories(folder);
        boolean external = options.externalData() != null ? options.externalData()
                : model.usesExternalData() || model.tensorBytes() > AUTO_EXTERNAL_BYTES;
        String dataFileName = options.dataFileFor(target).getFileName().toString();
        Path dataTemp = external ? AtomicFiles.temporarySibling(folder.resolve(dataFileName)) : null;
        Path modelTemp = AtomicFiles.temporarySibling(target);
        try {
            ModelProto rewritten;
            if (external) {
                try (FileChannel channel = FileChannel.open(dataTemp, StandardOpenOption.WRITE)) {
                    ModelWriter writer = new ModelWriter(model, true, options.thresholdBytes(), dataFileName, channel);
                    rewritten = writer.rewrite(model.proto());
                    channel.force(false);
                }
            } else {
                rewritten = new ModelWriter(model, false, 0, dataFileName, null).rewrite(model.proto());
            }
            long size = rewritten.getSerializedSize();
            if (size < 0 || size > Integer.MAX_VALUE) {
                throw new IOException(target + ": the model would exceed protobuf's 2 GiB limit; save with external data");
            }
            try (OutputStream out = Files.newOutputStream(modelTemp)) {
                rewritten.writeTo(out);
            }
            if (external) {
                AtomicFiles.replace(dataTemp, folder.resolve(dataFileName));
            }
            AtomicFiles.replace(modelTemp, target);
        } finally {
            if (dataTemp != null) {
                Files.deleteIfExists(dataTemp);
            }
            Files.deleteIfExists(modelTemp);
        }
    }

    private ModelProto rewrite(ModelProto proto) throws IOException, InvalidModelException {
        return proto.toBuilder().setGraph(rewrite(proto.getGraph())).build();
    }

    private GraphProto rewrite(GraphProto graph) throws IOException, InvalidModelException {
        GraphProto.Builder builder = graph.toBuilder();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            builder.setInitializer(i, rewrite(graph.getInitializer(i), true));
        }
        for (int i = 0; i < graph.getSparseInitializerCount(); i++) {
            builder.setSparseInitializer(i, rewrite(graph.getSparseInitializer(i)));
        }
        for (int i = 0; i < graph.getNodeCount(); i++) {
            NodeProto node = graph.getNode(i);
            if (holdsTensorsOrGraphs(node)) {
                NodeProto.Builder nodeBuilder = node.toBuilder();
                for (int a = 0; a < node.getAttributeCount(); a++) {
                    nodeBuilder.setAttribute(a, rewrite(node.getAttribute(a)));
                }
                builder.setNode(i, nodeBuilder);
            }
        }
        return builder.build();
    }

    private static boolean holdsTensorsOrGraphs(NodeProto node) {
        for (AttributeProto attribute : node.getAttributeList()) {
            if (attribute.hasT() || attribute.getTensorsCount() > 0 || attribute.hasG() || attribute.getGraphsCount() > 0
                    || attribute.hasSparseTensor() || attribute.getSparseTensorsCount() > 0) {
                return true;
            }
        }
        return false;
    }

    private AttributeProto rewrite(AttributeProto attribute) throws IOException, InvalidModelException {
        AttributeProto.Builder builder = attribute.toBuilder();
        if (attribute.hasT()) {
            builder.setT(rewrite(attribute.getT(), false));
        }
        for (int i = 0; i < attribute.getTensorsCount(); i++) {
            builder.setTensors(i, rewrite(attribute.getTensors(i), false));
        }
        if (attribute.hasSparseTensor()) {
            builder.setSparseTensor(rewrite(attribute.getSparseTensor()));
        }
        for (int i = 0; i < attribute.getSparseTensorsCount(); i++) {
            builder.setSparseTensors(i, rewrite(attribute.getSparseTensors(i)));
        }
        if (attribute.hasG()) {
            builder.setG(rewrite(attribute.getG()));
        }
        for (int i = 0; i < attribute.getGraphsCount(); i++) {
            builder.setGraphs(i, rewrite(attribute.getGraphs(i)));
        }
        return builder.build();
    }

    /** A sparse tensor whose values and indices keep their layout: external ones move to this file. */
    private SparseTensorProto rewrite(SparseTensorProto sparse) throws IOException, InvalidModelException {
        return sparse.toBuilder().setValues(rewrite(sparse.getValues(), false)).setIndices(rewrite(sparse.getIndices(), false)).build();
    }

    /** Places one tensor: in the external file if it qualifies, otherwise inline as raw_data. */
    private TensorProto rewrite(TensorProto tensor, boolean initializer) throws IOException, InvalidModelException {
        boolean stringTensor = tensor.getDataType() == DataType.STRING.code();
        boolean wasExternal = OnnxModel.isExternal(tensor);
        boolean goesExternal = external && !stringTensor && !isShapeConstant(tensor)
                && (wasExternal || (initializer && OnnxModel.storedBytes(tensor) >= threshold));
        if (!goesExternal && !wasExternal) {
            return tensor;
        }
        ByteBuffer bytes = model.tensorData(tensor).rawBytes();
        TensorProto.Builder builder = tensor.toBuilder()
                .clearExternalData().clearDataLocation().clearRawData()
                .clearFloatData().clearInt32Data().clearInt64Data().clearDoubleData().clearUint64Data();
        if (!goesExternal) {
            return builder.setRawData(UnsafeByteOperations.unsafeWrap(bytes)).build();
        }
        int length = bytes.remaining();
        long alignment = length >= 16 * PAGE ? PAGE : 64;
        long start = (offset + alignment - 1) / alignment * alignment;
        while (bytes.hasRemaining()) {
            data.write(bytes, start + (length - bytes.remaining()));
        }
        offset = start + length;
        return builder.setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", dataFileName))
                .addExternalData(entry("offset", Long.toString(start)))
                .addExternalData(entry("length", Long.toString(length)))
                .build();
    }

    /**
     * Small int32/int64 tensors (shapes, axes, indices) always stay inline: ONNX Runtime reads them while
     * it loads the graph and cannot take them from external files.
     */
    private static boolean isShapeConstant(TensorProto tensor) {
        int type = tensor.getDataType();
        return (type == DataType.INT64.code() || type == DataType.INT32.code())
                && OnnxModel.storedBytes(tensor) < SaveOptions.DEFAULT_THRESHOLD_BYTES;
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }
}
