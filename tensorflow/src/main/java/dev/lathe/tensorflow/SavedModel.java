package dev.lathe.tensorflow;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.model.TensorData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;

/**
 * A TensorFlow SavedModel (a directory with {@code saved_model.pb} and {@code variables/}) loaded into
 * TensorFlow Java: its tags, signatures and GraphDef, and a session with the variables restored. Owns
 * the native session; close it.
 *
 * <pre>{@code
 * try (SavedModel model = SavedModel.load(Path.of("my_model"))) {
 *     SignatureInfo signature = model.signature();            // serving_default, or the only one
 *     Map<String, TensorData> outputs = model.run(signature, inputs);
 * }
 * }</pre>
 */
public final class SavedModel implements AutoCloseable {
    /** The tag of the meta graph meant for inference, chosen when present. */
    public static final String SERVE_TAG = "serve";
    /** The key of the signature chosen when a model has several. */
    public static final String DEFAULT_SIGNATURE = "serving_default";
    private static final String PROTO_FILE = "saved_model.pb";

    private final Path directory;
    private final List<String> tags;
    private final SavedModelBundle bundle;
    private final MetaGraphDef metaGraph;
    private final List<SignatureInfo> signatures;
    private final Map<String, String> variableReads = new HashMap<>();

    private SavedModel(Path directory, List<String> tags, SavedModelBundle bundle) {
        this.directory = directory;
        this.tags = List.copyOf(tags);
        this.bundle = bundle;
        this.metaGraph = bundle.metaGraphDef();
        this.signatures = metaGraph.getSignatureDefMap().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(e -> signatureInfo(e.getKey(), e.getValue()))
                .toList();
    }

    /** Whether {@code path} looks like a SavedModel: a directory holding {@code saved_model.pb}. */
    public static boolean isSavedModel(Path path) {
        return Files.isDirectory(path) && Files.isRegularFile(path.resolve(PROTO_FILE));
    }

    /** Loads the meta graph tagged {@value #SERVE_TAG} (or the only one) with TensorFlow's default threads. */
    public static SavedModel load(Path directory) throws InvalidModelException {
        return load(directory, 0);
    }

    /**
     * Loads the meta graph tagged {@value #SERVE_TAG} (or the only one).
     *
     * @param threads intra- and inter-op threads of the session; 0 leaves TensorFlow's default (all cores)
     * @throws InvalidModelException if the directory is not a SavedModel, has no serving meta graph, or
     *                               TensorFlow cannot load it
     */
    public static SavedModel load(Path directory, int threads) throws InvalidModelException {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be 0 (TensorFlow's default) or more, got " + threads);
        }
        if (!Files.isDirectory(directory)) {
            throw new InvalidModelException(directory + ": not a directory; a SavedModel is a directory holding "
                    + PROTO_FILE + " and variables/");
        }
        if (!Files.isRegularFile(directory.resolve(PROTO_FILE))) {
            throw new InvalidModelException(directory + ": no " + PROTO_FILE + " in it, so it is not a SavedModel");
        }
        List<String> tags = chooseTags(directory);
        ConfigProto.Builder config = ConfigProto.newBuilder();
        if (threads > 0) {
            config.setIntraOpParallelismThreads(threads).setInterOpParallelismThreads(threads);
        }
        try {
            SavedModelBundle bundle = SavedModelBundle.loader(directory.toString()).withTags(tags.toArray(String[]::new))
                    .withConfigProto(config.build()).load();
            return new SavedModel(directory, tags, bundle);
        } catch (TensorFlowException e) {
            throw new InvalidModelException(directory + ": TensorFlow cannot load the SavedModel: " + e.getMessage(), e);
        }
    }

    /** The tags of the meta graph to load: {@code serve} alone, else a set with it, else the only set. */
    private static List<String> chooseTags(Path directory) throws InvalidModelException {
        org.tensorflow.proto.SavedModel proto;
        try (InputStream in = Files.newInputStream(directory.resolve(PROTO_FILE))) {
            proto = org.tensorflow.proto.SavedModel.parseFrom(in);
        } catch (IOException e) {
            throw new InvalidModelException(directory.resolve(PROTO_FILE) + ": cannot read it as a SavedModel protobuf: "
                    + e.getMessage(), e);
        }
        List<List<String>> tagSets = proto.getMetaGraphsList().stream()
                .map(m -> List.copyOf(m.getMetaInfoDef().getTagsList())).toList();
        if (tagSets.isEmpty()) {
            throw new InvalidModelException(directory + ": the SavedModel holds no meta graph");
        }
        return tagSets.stream().filter(t -> t.equals(List.of(SERVE_TAG))).findFirst()
                .or(() -> tagSets.stream().filter(t -> t.contains(SERVE_TAG)).findFirst())
                .or(() -> tagSets.size() == 1 ? java.util.Optional.of(tagSets.get(0)) : java.util.Optional.empty())
                .orElseThrow(() -> new InvalidModelException(directory + ": no meta graph is tagged '" + SERVE_TAG
                        + "'; its tag sets are " + tagSets));
    }

    /** The SavedModel directory. */
    public Path directory() {
        return directory;
    }

    /** The tags of the loaded meta graph. */
    public List<String> tags() {
        return tags;
    }

    /** All signatures, sorted by key. */
    public List<SignatureInfo> signatures() {
        return signatures;
    }

    /**
     * The signature to serve: {@value #DEFAULT_SIGNATURE}, else the only one.
     *
     * @throws InvalidModelException if there is none, or several and none is the default
     */
    public SignatureInfo signature() throws InvalidModelException {
        if (signatures.size() == 1) {
            return signatures.get(0);
        }
        return signature(DEFAULT_SIGNATURE);
    }

    /** The signature with this key; the exception lists the keys there are. */
    public SignatureInfo signature(String key) throws InvalidModelException {
        return signatures.stream().filter(s -> s.key().equals(key)).findFirst()
                .orElseThrow(() -> new InvalidModelException(directory + ": no signature '" + key + "'; it has "
                        + (signatures.isEmpty() ? "none" : signatures.stream().map(SignatureInfo::key)
                        .collect(Collectors.joining(", ")))));
    }

    /** The GraphDef of the loaded meta graph. */
    public GraphDef graphDef() {
        return metaGraph.getGraphDef();
    }

    /** Bytes on disk: {@code saved_model.pb} and every file under the directory (variables, assets). */
    public long sizeBytes() throws InvalidModelException {
        try (Stream<Path> files = Files.walk(directory)) {
            long total = 0;
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                total += Files.size(file);
            }
            return total;
        } catch (IOException e) {
            throw new InvalidModelException(directory + ": cannot read its files: " + e.getMessage(), e);
        }
    }

    /** TensorFlow Java's graph, for callers that extend or inspect it. */
    public Graph graph() {
        return bundle.graph();
    }

    /** TensorFlow Java's session, with the variables restored. */
    public Session session() {
        return bundle.session();
    }

    /**
     * Runs a signature on inputs given by the signature's input names; returns its outputs by name.
     *
     * @throws IllegalArgumentException if an input is missing or unknown
     * @throws RuntimeFailureException  if TensorFlow fails to run the graph
     */
    public Map<String, TensorData> run(SignatureInfo signature, Map<String, TensorData> inputs)
            throws RuntimeFailureException {
        Map<String, TensorData> feeds = new LinkedHashMap<>();
        for (TensorSpec input : signature.inputs()) {
            TensorData value = inputs.get(input.name());
            if (value == null) {
                throw new IllegalArgumentException(directory + ": signature " + signature.key() + " needs input '"
                        + input.name() + "'; given " + inputs.keySet());
            }
            feeds.put(input.tensorName(), value);
        }
        for (String name : inputs.keySet()) {
            if (signature.inputs().stream().noneMatch(i -> i.name().equals(name))) {
                throw new IllegalArgumentException(directory + ": signature " + signature.key() + " has no input '" + name
                        + "'; its inputs are " + signature.inputs().stream().map(TensorSpec::name).toList());
            }
        }
        List<String> fetches = signature.outputs().stream().map(TensorSpec::tensorName).toList();
        List<TensorData> values = fetch(fetches, feeds);
        Map<String, TensorData> outputs = new LinkedHashMap<>();
        for (int i = 0; i < fetches.size(); i++) {
            outputs.put(signature.outputs().get(i).name(), values.get(i));
        }
        return outputs;
    }

    /**
     * Feeds graph tensors by name ({@code node:index}) and fetches others, copying the results out.
     *
     * @throws RuntimeFailureException if TensorFlow fails to run the graph
     */
    public List<TensorData> fetch(List<String> tensorNames, Map<String, TensorData> feeds) throws RuntimeFailureException {
        return fetch(tensorNames, feeds, TfTensors::toTensorData);
    }

    /**
     * Feeds graph tensors by name and reads each fetched tensor with {@code reader} before it is released
     * (so that, say, only shapes are kept).
     *
     * @throws RuntimeFailureException if TensorFlow fails to run the graph
     */
    public <R> List<R> fetch(List<String> tensorNames, Map<String, TensorData> feeds, Function<Tensor, R> reader)
            throws RuntimeFailureException {
        if (tensorNames.isEmpty()) {
            return List.of();
        }
        List<Tensor> fed = new ArrayList<>();
        try {
            Session.Runner runner = bundle.session().runner();
            for (Map.Entry<String, TensorData> feed : feeds.entrySet()) {
                Tensor tensor = TfTensors.toTensor(feed.getValue());
                fed.add(tensor);
                runner.feed(feed.getKey(), tensor);
            }
            tensorNames.forEach(runner::fetch);
            try (Result result = runner.run()) {
                List<R> values = new ArrayList<>();
                for (int i = 0; i < tensorNames.size(); i++) {
                    values.add(reader.apply(result.get(i)));
                }
                return values;
            }
        } catch (TensorFlowException | IllegalArgumentException e) {
            throw new RuntimeFailureException(directory + ": TensorFlow failed to run the graph (feeding "
                    + feeds.keySet() + ", fetching " + (tensorNames.size() <= 5 ? tensorNames
                    : tensorNames.subList(0, 5) + " and " + (tensorNames.size() - 5) + " more") + "): " + e.getMessage(), e);
        } finally {
            fed.forEach(Tensor::close);
        }
    }

    /**
     * The current values of resource variables, given their {@code VarHandleOp} nodes, read in one run
     * through {@code ReadVariableOp}s this method adds to the graph (once per variable).
     *
     * @throws RuntimeFailureException if a node is not a variable handle or TensorFlow cannot read it
     */
    public synchronized List<TensorData> variableValues(List<String> handleNodes) throws RuntimeFailureException {
        List<String> reads = new ArrayList<>();
        for (String handleNode : handleNodes) {
            String read = variableReads.get(handleNode);
            if (read == null) {
                GraphOperation handle = bundle.graph().operation(handleNode);
                if (handle == null || !handle.type().equals("VarHandleOp")) {
                    throw new RuntimeFailureException(directory + ": '" + handleNode + "' is not a VarHandleOp node", null);
                }
                org.tensorflow.proto.DataType type = handle.attributes().getAttrType("dtype");
                Ops tf = Ops.create(bundle.graph());
                read = tf.readVariableOp(handle.output(0),
                        TfTypes.tensorClass(TfTypes.requireOnnxType(type, "variable " + handleNode))).op().name();
                variableReads.put(handleNode, read);
            }
            reads.add(read + ":0");
        }
        return reads.isEmpty() ? List.of() : fetch(reads, Map.of());
    }

    /** The current value of one resource variable; see {@link #variableValues}. */
    public TensorData variableValue(String handleNode) throws RuntimeFailureException {
        return variableValues(List.of(handleNode)).get(0);
    }

    /** Releases the native session and graph. */
    @Override
    public void close() {
        bundle.close();
    }

    private static SignatureInfo signatureInfo(String key, SignatureDef def) {
        return new SignatureInfo(key, def.getMethodName(), specs(def.getInputsMap()), specs(def.getOutputsMap()));
    }

    private static List<TensorSpec> specs(Map<String, TensorInfo> infos) {
        return infos.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(e -> {
            TensorInfo info = e.getValue();
            boolean rankKnown = info.hasTensorShape() && !info.getTensorShape().getUnknownRank();
            long[] shape = rankKnown ? info.getTensorShape().getDimList().stream().mapToLong(d -> d.getSize()).toArray()
                    : new long[0];
            return new TensorSpec(e.getKey(), info.getName(), info.getDtype().name(), shape, rankKnown);
        }).toList();
    }

    @Override
    public String toString() {
        return directory + " " + tags;
    }
}
