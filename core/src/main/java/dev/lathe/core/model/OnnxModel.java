package dev.lathe.core.model;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import dev.lathe.core.InvalidModelException;
import dev.lathe.core.onnx.Onnx.AttributeProto;
import dev.lathe.core.onnx.Onnx.GraphProto;
import dev.lathe.core.onnx.Onnx.ModelProto;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.OperatorSetIdProto;
import dev.lathe.core.onnx.Onnx.SparseTensorProto;
import dev.lathe.core.onnx.Onnx.StringStringEntryProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * An ONNX model, checked and immutable: the protobuf message, the folder its external data lives in, and
 * a name for error messages. Load it with {@link #load(Path)}, read it through {@link #graph()} and
 * {@link #tensorData(TensorProto)}, change it with {@link #edit()} (which builds a new model), and write it
 * with {@link #save(Path)}.
 *
 * <p>Weights are kept off the Java heap where possible: a model file is memory-mapped and its
 * {@code raw_data} fields alias the mapping; external data files are memory-mapped tensor by tensor.
 */
public final class OnnxModel {
    private static final long PROTOBUF_LIMIT = Integer.MAX_VALUE;
    /** Beyond this many elements a tensor's size in bits overflows a long (the widest type has 128 bits). */
    private static final long MAX_ELEMENTS = Long.MAX_VALUE / 128;

    private final ModelProto proto;
    private final ExternalDataFiles externalData;
    private final String source;
    private final Path file;
    private final Graph graph;

    private OnnxModel(ModelProto proto, ExternalDataFiles externalData, String source, Path file) {
        this.proto = proto;
        this.file = file;
        this.externalData = externalData;
        this.source = source;
        this.graph = Graph.of(NodeNames.named(proto.getGraph()));
    }

    /**
     * Loads and checks a model file; external data is looked up in the file's folder.
     *
     * @throws InvalidModelException if the file is missing, not a valid ONNX model, or its external data is
     *                               missing, too short or outside its folder
     */
    public static OnnxModel load(Path file) throws InvalidModelException {
        String source = file.toString();
        if (Files.isDirectory(file)) {
            throw new InvalidModelException(source + ": is a directory, not an ONNX model file"
                    + (Files.isRegularFile(file.resolve("saved_model.pb"))
                            ? " (it is a TensorFlow SavedModel: add dev.lathe:lathe-tensorflow to read it)" : ""));
        }
        if (!Files.isRegularFile(file)) {
            throw new InvalidModelException(source + ": no such model file");
        }
        ModelProto proto;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size == 0) {
                throw new InvalidModelException(source + ": file is empty, not an ONNX model");
            }
            if (size > PROTOBUF_LIMIT) {
                throw new InvalidModelException(source + ": file is " + size
                        + " bytes, over protobuf's 2 GiB limit; large weights must be stored as external data");
            }
            ByteString mapped = UnsafeByteOperations.unsafeWrap(channel.map(FileChannel.MapMode.READ_ONLY, 0, size));
            CodedInputStream input = mapped.newCodedInput();
            input.enableAliasing(true);
            input.setSizeLimit(Integer.MAX_VALUE);
            proto = ModelProto.parseFrom(input);
        } catch (InvalidProtocolBufferException e) {
            throw corrupt(source, e);
        } catch (IOException e) {
            throw new InvalidModelException(source + ": cannot read: " + e.getMessage(), e);
        }
        Path folder = file.toAbsolutePath().getParent();
        return checked(proto, new ExternalDataFiles(folder, source), source, file);
    }

    /**
     * Reads and checks a model from a stream. External data, if the model uses any, is looked up in
     * {@code baseDirectory}, which may be null for self-contained models.
     */
    public static OnnxModel load(InputStream stream, String sourceName, Path baseDirectory) throws InvalidModelException {
        try {
            CodedInputStream input = CodedInputStream.newInstance(stream);
            input.setSizeLimit(Integer.MAX_VALUE);
            return checked(ModelProto.parseFrom(input), new ExternalDataFiles(baseDirectory, sourceName), sourceName, null);
        } catch (InvalidProtocolBufferException e) {
            throw corrupt(sourceName, e);
        } catch (IOException e) {
            throw new InvalidModelException(sourceName + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Reads and checks a self-contained model from bytes. */
    public static OnnxModel fromBytes(byte[] bytes, String sourceName) throws InvalidModelException {
        try {
            return checked(ModelProto.parseFrom(bytes), new ExternalDataFiles(null, sourceName), sourceName, null);
        } catch (InvalidProtocolBufferException e) {
            throw corrupt(sourceName, e);
        }
    }

    /**
     * Checks a model built in code. External data, if any, is looked up in {@code baseDirectory} (may be
     * null).
     */
    public static OnnxModel of(ModelProto proto, String sourceName, Path baseDirectory) throws InvalidModelException {
        return checked(proto, new ExternalDataFiles(baseDirectory, sourceName), sourceName, null);
    }

    /** A new model from an edited proto, sharing this model's external data folder and name. */
    OnnxModel derive(ModelProto edited) throws InvalidModelException {
        return checked(edited, externalData, source, null);
    }

    private static InvalidModelException corrupt(String source, InvalidProtocolBufferException e) {
        return new InvalidModelException(source + ": not a valid ONNX model (corrupt or truncated protobuf: "
                + e.getMessage() + ")", e);
    }

    private static OnnxModel checked(ModelProto proto, ExternalDataFiles externalData, String source, Path file)
            throws InvalidModelException {
        if (!proto.hasGraph()) {
            throw new InvalidModelException(source + ": not a valid ONNX model (it has no graph)");
        }
        if (proto.getIrVersion() <= 0) {
            throw new InvalidModelException(source + ": not a valid ONNX model (ir_version is missing)");
        }
        OnnxModel model = new OnnxModel(proto, externalData, source, file);
        List<String> violations = ModelInvariants.structuralViolations(model.graph);
        if (!violations.isEmpty()) {
            throw new InvalidModelException(source + ": " + violations.get(0)
                    + (violations.size() > 1 ? " (and " + (violations.size() - 1) + " more problems)" : ""));
        }
        for (TensorProto tensor : model.allTensors()) {
            model.checkTensor(tensor);
        }
        return model;
    }

    private void checkTensor(TensorProto tensor) throws InvalidModelException {
        DataType type = dataTypeOf(tensor);
        if (type == DataType.STRING) {
            return;
        }
        long[] shape = shapeOf(tensor);
        if (isExternal(tensor)) {
            externalData.locate(tensor, type.storageBytes(TensorData.elementCount(shape)));
        } else {
            String[] problem = new String[1];
            if (TensorCodec.decodeInline(tensor, type, shape, problem) == null) {
                throw invalid(tensor, problem[0]);
            }
        }
    }

    /** The protobuf message (tensor bytes of external tensors are not in it). */
    public ModelProto proto() {
        return proto;
    }

    /** The name error messages use for this model (its path when loaded from a file). */
    public String source() {
        return source;
    }

    /** The file this model was loaded from; empty for models built in code, read from a stream or edited. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /**
     * The distinct external data files this model's tensors refer to, with the bytes it uses of each.
     *
     * @throws InvalidModelException if a reference is invalid (cannot happen for a loaded model)
     */
    public Map<Path, Long> externalDataFiles() throws InvalidModelException {
        Map<Path, Long> files = new TreeMap<>();
        for (TensorProto tensor : allTensors()) {
            if (isExternal(tensor)) {
                ExternalDataFiles.Location where = externalData.locate(tensor, storedBytes(tensor));
                files.merge(where.file(), where.length(), Long::sum);
            }
        }
        return files;
    }

    /** The folder external data is resolved against, if the model has one. */
    public Optional<Path> baseDirectory() {
        return Optional.ofNullable(externalData.baseDirectory());
    }

    /**
     * A view of the main graph, every node named uniquely across the model (unnamed nodes get the names
     * {@link #edit()} gives them, so a node is the same in the view and in the editor).
     */
    public Graph graph() {
        return graph;
    }

    /** Constant tensors everywhere in the model: initializers and Constant nodes, subgraphs included. */
    public List<ConstantTensor> constants() {
        return graph.constants();
    }

    /** Operator set version per domain ("" is the default ONNX domain), as imported by the model. */
    public Map<String, Long> opsets() {
        Map<String, Long> opsets = new TreeMap<>();
        for (OperatorSetIdProto opset : proto.getOpsetImportList()) {
            String domain = opset.getDomain().equals("ai.onnx") ? "" : opset.getDomain();
            opsets.put(domain, opset.getVersion());
        }
        return opsets;
    }

    /** The imported version of a domain's operator set ("" or "ai.onnx" for default ONNX), if imported. */
    public Optional<Long> opsetVersion(String domain) {
        return Optional.ofNullable(opsets().get(domain.equals("ai.onnx") ? "" : domain));
    }

    /** metadata_props as an ordered map. */
    public Map<String, String> metadata() {
        Map<String, String> metadata = new LinkedHashMap<>();
        for (StringStringEntryProto entry : proto.getMetadataPropsList()) {
            metadata.put(entry.getKey(), entry.getValue());
        }
        return metadata;
    }

    /** Whether any tensor of this model stores its bytes in an external file. */
    public boolean usesExternalData() {
        return allTensors().stream().anyMatch(OnnxModel::isExternal);
    }

    /**
     * The elements of a tensor of this model, wherever they are stored (typed fields, raw_data, external
     * file). External bytes are memory-mapped, not copied.
     *
     * @throws InvalidModelException    if the tensor's data does not match its type and shape, or its
     *                                  external file is missing or too short
     * @throws IllegalArgumentException for STRING tensors, which have no numeric data
     */
    public TensorData tensorData(TensorProto tensor) throws InvalidModelException {
        DataType type = dataTypeOf(tensor);
        if (type == DataType.STRING) {
            throw new IllegalArgumentException("tensor '" + tensor.getName() + "' is a STRING tensor");
        }
        long[] shape = shapeOf(tensor);
        if (isExternal(tensor)) {
            ExternalDataFiles.Location where = externalData.locate(tensor, type.storageBytes(TensorData.elementCount(shape)));
            return TensorData.wrap(type, shape, externalData.map(tensor, where));
        }
        String[] problem = new String[1];
        TensorData data = TensorCodec.decodeInline(tensor, type, shape, problem);
        if (data == null) {
            throw invalid(tensor, problem[0]);
        }
        return data;
    }

    /**
     * The value of a one-element numeric constant of the main graph (initializer or Constant node), read as a
     * float whatever its stored type; empty when {@code value} names no such constant (a graph input, a
     * computed value, a tensor of several elements or of strings).
     *
     * @throws InvalidModelException if the constant's data does not match its type and shape
     */
    public Optional<Float> scalarConstant(String value) throws InvalidModelException {
        Optional<TensorProto> constant = value.isEmpty() ? Optional.empty() : graph.constant(value);
        if (constant.isEmpty() || dataTypeOf(constant.get()) == DataType.STRING) {
            return Optional.empty();
        }
        TensorData data = tensorData(constant.get());
        return data.elementCount() == 1 ? Optional.of(data.toFloatArray()[0]) : Optional.empty();
    }

    /** Bytes of every tensor the model stores, inline or in external files: what a runtime loads. */
    public long tensorBytes() {
        long total = 0;
        for (TensorProto tensor : allTensors()) {
            total += storedBytes(tensor);
        }
        return total;
    }

    /** Bytes a tensor's elements occupy in storage (string tensors: the bytes of their strings). */
    public static long storedBytes(TensorProto tensor) {
        DataType type = DataType.fromCode(tensor.getDataType()).orElseThrow(
                () -> new IllegalArgumentException("tensor '" + tensor.getName() + "' has unknown data type " + tensor.getDataType()));
        if (type == DataType.STRING) {
            return TensorCodec.stringBytes(tensor.getStringDataList());
        }
        return type.storageBytes(TensorData.elementCount(TensorCodec.shapeOf(tensor)));
    }

    /**
     * This model with the given main-graph values (node outputs or graph inputs) also listed as graph
     * outputs, so that a run returns them: how activations and shapes are probed. Values that are outputs
     * already are not listed twice. The result shares this model's external data folder and name.
     *
     * @throws IllegalArgumentException if a value is neither a main-graph input nor a main-graph node output
     */
    public OnnxModel exposing(Collection<String> values) {
        GraphProto main = proto.getGraph();
        Set<String> known = new HashSet<>();
        main.getNodeList().forEach(node -> known.addAll(node.getOutputList()));
        main.getInputList().forEach(input -> known.add(input.getName()));
        Set<String> listed = new HashSet<>();
        main.getOutputList().forEach(output -> listed.add(output.getName()));
        GraphProto.Builder widened = main.toBuilder();
        for (String value : values) {
            if (value.isEmpty() || !known.contains(value)) {
                throw new IllegalArgumentException(source + ": '" + value + "' is not a value of the main graph");
            }
            if (listed.add(value)) {
                widened.addOutput(ValueInfoProto.newBuilder().setName(value));
            }
        }
        try {
            return derive(proto.toBuilder().setGraph(widened).build());
        } catch (InvalidModelException e) {
            throw new IllegalStateException(source + ": listing values as outputs cannot break a valid model", e);
        }
    }

    /** Starts an edit; the edit builds a new model and leaves this one unchanged. */
    public ModelEditor edit() {
        return new ModelEditor(this);
    }

    /** Saves with {@link SaveOptions#defaults()}. */
    public void save(Path file) throws IOException, InvalidModelException {
        save(file, SaveOptions.defaults());
    }

    /**
     * Writes the model (and its external data file, if any) atomically: to temporary files in the target
     * folder first, then renamed into place, so a failure never leaves a partial model.
     */
    public void save(Path file, SaveOptions options) throws IOException, InvalidModelException {
        ModelWriter.write(this, file, options);
    }

    /** Whether a tensor's bytes live in an external file. */
    public static boolean isExternal(TensorProto tensor) {
        return tensor.getDataLocation() == TensorProto.DataLocation.EXTERNAL;
    }

    private DataType dataTypeOf(TensorProto tensor) throws InvalidModelException {
        Optional<DataType> type = DataType.fromCode(tensor.getDataType());
        if (type.isEmpty()) {
            throw invalid(tensor, "unknown data type " + tensor.getDataType());
        }
        return type.get();
    }

    private long[] shapeOf(TensorProto tensor) throws InvalidModelException {
        long[] shape = TensorCodec.shapeOf(tensor);
        for (long dim : shape) {
            if (dim < 0) {
                throw invalid(tensor, "negative dimension in shape " + Arrays.toString(shape));
            }
        }
        long count;
        try {
            count = TensorData.elementCount(shape);
        } catch (ArithmeticException e) {
            count = Long.MAX_VALUE;
        }
        if (count > MAX_ELEMENTS) {
            throw invalid(tensor, "shape " + Arrays.toString(shape) + " has too many elements");
        }
        return shape;
    }

    private InvalidModelException invalid(TensorProto tensor, String problem) {
        return new InvalidModelException(source + ": tensor '" + tensor.getName() + "': " + problem);
    }

    /** Every tensor stored anywhere in the model: initializers, attribute tensors, sparse tensors, subgraphs. */
    List<TensorProto> allTensors() {
        List<TensorProto> tensors = new ArrayList<>();
        collectTensors(proto.getGraph(), tensors);
        proto.getFunctionsList().forEach(f -> f.getNodeList().forEach(n -> collectTensors(n, tensors)));
        return tensors;
    }

    private static void collectTensors(GraphProto graphProto, List<TensorProto> tensors) {
        tensors.addAll(graphProto.getInitializerList());
        graphProto.getSparseInitializerList().forEach(s -> addSparse(s, tensors));
        graphProto.getNodeList().forEach(node -> collectTensors(node, tensors));
    }

    private static void collectTensors(NodeProto node, List<TensorProto> tensors) {
        for (AttributeProto attribute : node.getAttributeList()) {
            if (attribute.hasT()) {
                tensors.add(attribute.getT());
            }
            tensors.addAll(attribute.getTensorsList());
            if (attribute.hasSparseTensor()) {
                addSparse(attribute.getSparseTensor(), tensors);
            }
            attribute.getSparseTensorsList().forEach(s -> addSparse(s, tensors));
            if (attribute.hasG()) {
                collectTensors(attribute.getG(), tensors);
            }
            attribute.getGraphsList().forEach(g -> collectTensors(g, tensors));
        }
    }

    private static void addSparse(SparseTensorProto sparse, List<TensorProto> tensors) {
        tensors.add(sparse.getValues());
        tensors.add(sparse.getIndices());
    }
}
